package org.securecomm.jmh.mailbox;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.securecomm.jmh.LocalActorSystem;
import org.securecomm.jmh.frame.Frames;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.mailbox.MailboxState;
import org.securecomm.relay.mailbox.StoredEnvelope;

/**
 * What a node's CPU does per enqueued envelope outside Cassandra: the Mailbox's command handler
 * decides to persist, the event is serialized for the journal by the serializer Pekko is
 * configured with (Jackson CBOR, {@code CborSerializable}), and the event handler applies it to the
 * state. Not measured: the actor's mailbox hops, the ask, and the journal write itself.
 * {@link #snapshot} is the snapshot Pekko writes every 100 events (retentionCriteria), of a queue
 * of {@link #QUEUED} envelopes: divide by 100 for its share per envelope.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MailboxEnqueueBenchmark {

    /** Envelopes queued while measuring: a short backlog that the device works off one for one. */
    static final int QUEUED = 100;

    private ActorSystem<Void> system;
    private Serialization serialization;
    private CommandHandler<Mailbox.Command, Mailbox.Event, MailboxState> commands;
    private EventHandler<MailboxState, Mailbox.Event> events;
    private ActorRef<Mailbox.EnqueueResult> replyTo;
    private MailboxState state;
    private final ArrayDeque<UUID> queued = new ArrayDeque<>();
    private byte[] content;

    @Setup
    public void setUp() throws Exception {
        system = LocalActorSystem.start("mailbox-benchmark");
        serialization = SerializationExtension.get(system.classicSystem());
        Mailbox mailbox = MailboxHandlers.create(system, UUID.randomUUID() + ".1");
        commands = mailbox.commandHandler();
        events = mailbox.eventHandler();
        replyTo = system.ignoreRef();
        state = mailbox.emptyState();
        content = Frames.randomBytes(Frames.CONTENT_BYTES, new Random(3));
        for (int i = 0; i < QUEUED; i++) {
            StoredEnvelope envelope = nextEnvelope();
            state = events.apply(state, new Mailbox.EnvelopeEnqueued(envelope));
            queued.addLast(envelope.id());
        }
    }

    @TearDown
    public void tearDown() {
        system.terminate();
    }

    /** @return the event's journal bytes */
    @Benchmark
    public byte[] enqueue(Blackhole blackhole) {
        StoredEnvelope envelope = nextEnvelope();
        blackhole.consume(commands.apply(state, new Mailbox.Enqueue(envelope, replyTo)));
        Mailbox.EnvelopeEnqueued event = new Mailbox.EnvelopeEnqueued(envelope);
        // As the journal does per event: find the serializer, take its manifest and bytes.
        Serializer serializer = serialization.findSerializerFor(event);
        blackhole.consume(Serializers.manifestFor(serializer, event));
        byte[] journalBytes = serializer.toBinary(event);
        state = events.apply(state, event);
        queued.addLast(envelope.id());
        if (queued.size() > QUEUED) {
            // Keeps the queue at a steady size, as the device's acknowledgements do (one map removal).
            state = events.apply(state, new Mailbox.EnvelopesAcknowledged(List.of(queued.removeFirst())));
        }
        return journalBytes;
    }

    /** @return the snapshot bytes of a queue of {@link #QUEUED} envelopes */
    @Benchmark
    public byte[] snapshot() {
        return serialization.serialize(state).get();
    }

    /** As EnvelopeRouter stores an envelope: fresh id, the server's time, the client's ciphertext. */
    private StoredEnvelope nextEnvelope() {
        return new StoredEnvelope(UUID.randomUUID(), Frames.SENDER, 1, EnvelopeType.CIPHERTEXT_VALUE, 1_764_470_000_000L,
                System.currentTimeMillis(), content, true);
    }

    MailboxState state() {
        return state;
    }

    Serialization serialization() {
        return serialization;
    }
}
