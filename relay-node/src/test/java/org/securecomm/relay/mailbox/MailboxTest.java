package org.securecomm.relay.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.support.ManualClock;
import org.securecomm.relay.support.QuietMailboxListener;
import org.securecomm.relay.support.TestKits;

/** The Mailbox entity on real Cassandra persistence: caps, push window, acks, recovery, expiry. */
class MailboxTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = TestKits.withCassandra("MailboxTest");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private final ManualClock clock = new ManualClock();
    private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    private final Mailbox.Listener ignore = new QuietMailboxListener();

    private ActorRef<Mailbox.Command> spawn(String id, int maxEnvelopes, long maxBytes, int window, Duration idle) {
        return testKit.spawn(Mailbox.create(id, shard.ref(),
                new Mailbox.Settings(maxEnvelopes, maxBytes, Duration.ofDays(30), window, idle, Duration.ofHours(1), 100), ignore, clock));
    }

    private StoredEnvelope envelope(int size) {
        return new StoredEnvelope(UUID.randomUUID(), "sender@relay.test", 1, 4, 1L, clock.millis(), new byte[size], false);
    }

    private Mailbox.EnqueueResult enqueue(ActorRef<Mailbox.Command> mailbox, StoredEnvelope envelope) {
        TestProbe<Mailbox.EnqueueResult> probe = testKit.createTestProbe();
        mailbox.tell(new Mailbox.Enqueue(envelope, probe.ref()));
        return probe.receiveMessage(WAIT);
    }

    private int acknowledge(ActorRef<Mailbox.Command> mailbox, List<UUID> ids) {
        TestProbe<Mailbox.Acknowledged> probe = testKit.createTestProbe();
        mailbox.tell(new Mailbox.Acknowledge(ids, probe.ref()));
        return probe.receiveMessage(WAIT).removed();
    }

    private Mailbox.Stats stats(ActorRef<Mailbox.Command> mailbox) {
        TestProbe<Mailbox.Stats> probe = testKit.createTestProbe();
        mailbox.tell(new Mailbox.GetStats(probe.ref()));
        return probe.receiveMessage(WAIT);
    }

    @Test
    void capsByCountAndBytes() {
        ActorRef<Mailbox.Command> mailbox = spawn(UUID.randomUUID() + ".1", 2, 100, 10, Duration.ofMinutes(1));
        assertEquals(Mailbox.EnqueueResult.ACCEPTED, enqueue(mailbox, envelope(60)));
        assertEquals(Mailbox.EnqueueResult.FULL, enqueue(mailbox, envelope(41)), "over the byte cap");
        StoredEnvelope small = envelope(40);
        assertEquals(Mailbox.EnqueueResult.ACCEPTED, enqueue(mailbox, small));
        assertEquals(Mailbox.EnqueueResult.ACCEPTED, enqueue(mailbox, small), "a retried enqueue of the same envelope is not a second one");
        assertEquals(Mailbox.EnqueueResult.FULL, enqueue(mailbox, envelope(1)), "over the count cap");
        assertEquals(new Mailbox.Stats(2, 100, stats(mailbox).oldestServerTimestamp()), stats(mailbox));
    }

    @Test
    void pushesInOrderWithinTheWindowAndRemovesOnlyAcknowledged() {
        String id = UUID.randomUUID() + ".1";
        ActorRef<Mailbox.Command> mailbox = spawn(id, 100, 1_000_000, 2, Duration.ofMinutes(1));
        StoredEnvelope first = envelope(1);
        StoredEnvelope second = envelope(2);
        StoredEnvelope third = envelope(3);
        for (StoredEnvelope e : List.of(first, second, third)) {
            enqueue(mailbox, e);
        }
        TestProbe<DeviceMessage> device = testKit.createTestProbe();
        mailbox.tell(new Mailbox.Attach(device.ref()));
        assertEquals(new DeviceMessage.Linked(mailbox, DeviceMessage.LinkKind.MAILBOX), device.receiveMessage(WAIT), "the connection learns which mailbox to watch");
        assertEquals(first.id(), ((DeviceMessage.Deliver) device.receiveMessage(WAIT)).envelope().id());
        assertEquals(second.id(), ((DeviceMessage.Deliver) device.receiveMessage(WAIT)).envelope().id());
        device.expectNoMessage(Duration.ofMillis(300)); // window of 2 is full

        assertEquals(1, acknowledge(mailbox, List.of(first.id(), UUID.randomUUID())));
        assertEquals(third.id(), ((DeviceMessage.Deliver) device.receiveMessage(WAIT)).envelope().id());
        assertEquals(new DeviceMessage.QueueEmpty(), device.receiveMessage(WAIT));

        // A new envelope while attached is pushed at once.
        acknowledge(mailbox, List.of(second.id()));
        StoredEnvelope fourth = envelope(4);
        enqueue(mailbox, fourth);
        assertEquals(fourth.id(), ((DeviceMessage.Deliver) device.receiveMessage(WAIT)).envelope().id());

        // After a restart the unacknowledged ones are still there, the acknowledged ones are not.
        testKit.stop(mailbox);
        ActorRef<Mailbox.Command> recovered = spawn(id, 100, 1_000_000, 10, Duration.ofMinutes(1));
        assertEquals(2, stats(recovered).envelopes());
        TestProbe<DeviceMessage> again = testKit.createTestProbe();
        recovered.tell(new Mailbox.Attach(again.ref()));
        assertEquals(new DeviceMessage.Linked(recovered, DeviceMessage.LinkKind.MAILBOX), again.receiveMessage(WAIT));
        assertEquals(third.id(), ((DeviceMessage.Deliver) again.receiveMessage(WAIT)).envelope().id());
        assertEquals(fourth.id(), ((DeviceMessage.Deliver) again.receiveMessage(WAIT)).envelope().id());
    }

    @Test
    void enqueuesArrivingTogetherAreWrittenTogetherAndEachAnsweredOnceStored() {
        String id = UUID.randomUUID() + ".1";
        ActorRef<Mailbox.Command> mailbox = spawn(id, 10, 1_000_000, 100, Duration.ofMinutes(1));
        // 15 enqueues and a retry of the first, sent without waiting: they pile up in the mailbox
        // and are written in batches; the cap counts the ones not yet written.
        List<StoredEnvelope> sent = new java.util.ArrayList<>();
        List<TestProbe<Mailbox.EnqueueResult>> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 15; i++) {
            StoredEnvelope envelope = envelope(10 + i);
            sent.add(envelope);
            TestProbe<Mailbox.EnqueueResult> reply = testKit.createTestProbe();
            replies.add(reply);
            mailbox.tell(new Mailbox.Enqueue(envelope, reply.ref()));
        }
        TestProbe<Mailbox.EnqueueResult> retry = testKit.createTestProbe();
        mailbox.tell(new Mailbox.Enqueue(sent.get(0), retry.ref()));
        for (int i = 0; i < 15; i++) {
            assertEquals(i < 10 ? Mailbox.EnqueueResult.ACCEPTED : Mailbox.EnqueueResult.FULL, replies.get(i).receiveMessage(WAIT),
                    "envelope " + i + " of a mailbox capped at 10");
            replies.get(i).expectNoMessage(Duration.ZERO);
        }
        assertEquals(Mailbox.EnqueueResult.ACCEPTED, retry.receiveMessage(WAIT), "a retried enqueue is answered, not stored twice");

        // Every accepted envelope was persisted, once, in order.
        testKit.stop(mailbox);
        ActorRef<Mailbox.Command> recovered = spawn(id, 10, 1_000_000, 100, Duration.ofMinutes(1));
        assertEquals(10, stats(recovered).envelopes());
        TestProbe<DeviceMessage> device = testKit.createTestProbe();
        recovered.tell(new Mailbox.Attach(device.ref()));
        device.receiveMessage(WAIT); // Linked
        for (int i = 0; i < 10; i++) {
            assertEquals(sent.get(i).id(), ((DeviceMessage.Deliver) device.receiveMessage(WAIT)).envelope().id());
        }
        assertEquals(new DeviceMessage.QueueEmpty(), device.receiveMessage(WAIT));
    }

    @Test
    void expiresUnreadEnvelopesAfterTheirTimeToLive() {
        String id = UUID.randomUUID() + ".1";
        ActorRef<Mailbox.Command> mailbox = spawn(id, 100, 1_000_000, 10, Duration.ofMinutes(1));
        enqueue(mailbox, envelope(5));
        clock.advance(Duration.ofDays(29));
        enqueue(mailbox, envelope(6));
        testKit.stop(mailbox);
        clock.advance(Duration.ofDays(2));
        ActorRef<Mailbox.Command> recovered = spawn(id, 100, 1_000_000, 10, Duration.ofMinutes(1));
        // Recovery checks expiry: the 31-day-old envelope is gone, the 2-day-old one stays.
        Mailbox.Stats after = null;
        for (int i = 0; i < 50 && (after == null || after.envelopes() != 1); i++) {
            after = stats(recovered);
        }
        assertEquals(1, after.envelopes());
        assertEquals(6, after.bytes());
    }

    @Test
    void passivatesWhenIdleAndDetached() {
        ActorRef<Mailbox.Command> mailbox = spawn(UUID.randomUUID() + ".1", 10, 1000, 10, Duration.ofMillis(300));
        TestProbe<DeviceMessage> device = testKit.createTestProbe();
        mailbox.tell(new Mailbox.Attach(device.ref()));
        device.receiveMessage(WAIT); // Linked
        device.receiveMessage(WAIT); // QueueEmpty
        shard.expectNoMessage(Duration.ofMillis(800));
        mailbox.tell(new Mailbox.Detach(device.ref()));
        shard.expectMessageClass(ClusterSharding.Passivate.class, WAIT);
    }
}
