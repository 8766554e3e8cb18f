package org.securecomm.jmh.mailbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;
import org.securecomm.jmh.frame.Frames;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.mailbox.MailboxState;
import org.securecomm.relay.mailbox.StoredEnvelope;

/** The mailbox benchmark, run once, stores the envelope and writes bytes the journal can read back: not timing. */
class MailboxEnqueueBenchmarkTest {

    // The way JMH documents for running a benchmark method outside the harness.
    private final Blackhole blackhole =
            new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    private final MailboxEnqueueBenchmark benchmark = new MailboxEnqueueBenchmark();

    @BeforeEach
    void setUp() throws Exception {
        benchmark.setUp();
    }

    @AfterEach
    void tearDown() {
        benchmark.tearDown();
    }

    private Object read(byte[] bytes, Object sameTypeAs) {
        Serializer serializer = benchmark.serialization().findSerializerFor(sameTypeAs);
        return benchmark.serialization()
                .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, sameTypeAs)).get();
    }

    @Test
    void theStateHoldsTheEnvelopeAndTheJournalBytesAreItsEvent() {
        assertEquals(MailboxEnqueueBenchmark.QUEUED, benchmark.state().size());

        byte[] journalBytes = benchmark.enqueue(blackhole);

        StoredEnvelope probe = new StoredEnvelope(UUID.randomUUID(), "", 1, 1, 0, 0, new byte[0], false);
        Mailbox.EnvelopeEnqueued event = (Mailbox.EnvelopeEnqueued) read(journalBytes, new Mailbox.EnvelopeEnqueued(probe));
        assertTrue(benchmark.state().contains(event.envelope().id()), "the enqueued envelope is in the state");
        assertEquals(Frames.CONTENT_BYTES, event.envelope().content().length);
        assertEquals(Frames.SENDER, event.envelope().sourceAddress());
        assertEquals(MailboxEnqueueBenchmark.QUEUED, benchmark.state().size(), "the oldest envelope made room");
    }

    @Test
    void theSnapshotHoldsTheWholeQueue() {
        byte[] snapshot = benchmark.snapshot();

        MailboxState restored = (MailboxState) read(snapshot, benchmark.state());
        assertEquals(MailboxEnqueueBenchmark.QUEUED, restored.size());
        assertEquals(benchmark.state().envelopesInOrder().stream().map(StoredEnvelope::id).toList(),
                restored.envelopesInOrder().stream().map(StoredEnvelope::id).toList());
        assertArrayEquals(benchmark.state().envelopesInOrder().get(0).content(), restored.envelopesInOrder().get(0).content());
    }
}
