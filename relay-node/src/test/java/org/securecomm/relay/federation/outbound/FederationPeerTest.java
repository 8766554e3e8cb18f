package org.securecomm.relay.federation.outbound;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.DevicePush;
import org.securecomm.protocol.federation.v1.EnvelopeDelivery;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.RemoteEnvelope;
import org.securecomm.relay.federation.FederationEntities;
import org.securecomm.relay.federation.FederationQueues;
import org.securecomm.relay.metrics.FederationMetrics;
import org.securecomm.relay.node.CqlSchema;
import org.securecomm.relay.support.ManualClock;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestKits;
import org.securecomm.relay.support.TestRelays;

/** The outbound federation queue on real Cassandra persistence, against a scripted peer. */
class FederationPeerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = TestKits.withCassandra("FederationPeerTest");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    private final BlockingQueue<Pdu> reported = new LinkedBlockingQueue<>();
    private final BlockingQueue<PduResult> reportedResults = new LinkedBlockingQueue<>();
    private final FailureReporter reporter = (domain, pdu, result) -> {
        reported.add(pdu);
        reportedResults.add(result);
    };

    private static PeerQueueSettings settings(int batchPdus, int batchBytes, Duration initialBackoff, Duration maxBackoff, int maxItems,
                                              long maxBytes, Duration idle) {
        return new PeerQueueSettings(batchPdus, batchBytes, initialBackoff, maxBackoff, maxItems, maxBytes, idle);
    }

    private static PeerQueueSettings quick() {
        return settings(100, 1 << 20, Duration.ofMillis(100), Duration.ofMillis(400), 1000, 1 << 20, Duration.ofMinutes(1));
    }

    private ActorRef<FederationPeer.Command> spawn(String domain, PeerQueueSettings settings, PeerTransport transport,
                                                   FederationPeer.Listener listener, Clock clock) {
        return testKit.spawn(FederationPeer.create(domain, shard.ref(),
                new FederationPeer.Dependencies(settings, transport, reporter, listener, new JournalPruner(testKit.system()), clock)));
    }

    private ActorRef<FederationPeer.Command> spawn(String domain, PeerQueueSettings settings, PeerTransport transport) {
        return spawn(domain, settings, transport, new FederationMetrics(new SimpleMeterRegistry(), Clock.systemUTC()), Clock.systemUTC());
    }

    private static String domain() {
        return UUID.randomUUID() + ".peer.test";
    }

    static Pdu pdu(int i) {
        return Pdu.newBuilder().setDevicePush(DevicePush.newBuilder().setAddress("user" + i + "@peer.test").setDeviceId(i)).build();
    }

    private static Pdu sizedPdu(int contentBytes) {
        return Pdu.newBuilder().setEnvelopes(EnvelopeDelivery.newBuilder().setDestination("user@peer.test")
                .addEnvelopes(RemoteEnvelope.newBuilder().setDeviceId(1).setContent(ByteString.copyFrom(new byte[contentBytes])))).build();
    }

    private EnqueueReply enqueue(ActorRef<FederationPeer.Command> peer, Pdu pdu, Duration wait) {
        TestProbe<EnqueueReply> probe = testKit.createTestProbe();
        peer.tell(new FederationPeer.Enqueue(pdu.toByteArray(), wait, probe.ref()));
        return probe.receiveMessage(WAIT.plus(wait));
    }

    private PeerStatus status(ActorRef<FederationPeer.Command> peer) {
        TestProbe<PeerStatus> probe = testKit.createTestProbe();
        peer.tell(new FederationPeer.GetStatus(probe.ref()));
        return probe.receiveMessage(WAIT);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos() * 3;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void sendsInOrderInFullBatchesAndKeepsNumberingAcrossRestarts() throws Exception {
        String domain = domain();
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.HOLD);
        ActorRef<FederationPeer.Command> queue = spawn(domain, quick(), peer);
        assertEquals(new EnqueueReply.Queued(1), enqueue(queue, pdu(1), Duration.ZERO));
        ScriptedTransport.Call first = peer.next(WAIT);
        assertEquals(List.of(1L), first.sequences());
        for (int i = 2; i <= 250; i++) {
            assertEquals(new EnqueueReply.Queued(i), enqueue(queue, pdu(i), Duration.ZERO));
        }
        assertTrue(peer.calls.isEmpty(), "one transaction in flight at most");
        peer.mode = ScriptedTransport.Mode.ACK;
        peer.acknowledge(first);
        assertEquals(range(2, 101), peer.next(WAIT).sequences());
        assertEquals(range(102, 201), peer.next(WAIT).sequences());
        ScriptedTransport.Call last = peer.next(WAIT);
        assertEquals(range(202, 250), last.sequences());
        assertEquals(pdu(202).toBuilder().setSequence(202).build(), last.transaction().getPdus(0), "sent as enqueued, numbered");
        await("all acknowledged", () -> status(queue).depth() == 0);
        assertEquals(range(1, 250), peer.acknowledgedNow(), "everything once, in order");

        // 250 events passed the snapshot threshold: after the second snapshot the events before the
        // older of the two kept snapshots are deleted, and recovery goes through a snapshot.
        await("the journal is pruned", () -> deletedTo("FederationPeer|" + domain) >= 100);
        testKit.stop(queue);
        ActorRef<FederationPeer.Command> recovered = spawn(domain, quick(), peer);
        PeerStatus after = status(recovered);
        assertEquals(0, after.depth());
        assertTrue(after.lastSuccessAtMillis() > 0);
        EnqueueReply next = enqueue(recovered, pdu(251), WAIT);
        assertEquals(251, ((EnqueueReply.Delivered) next).sequence(), "numbers never restart: the peer would take them for duplicates");
    }

    private static long deletedTo(String persistenceId) {
        var cassandra = SharedCassandra.get();
        try (CqlSession session = CqlSchema.session(cassandra.host(), cassandra.nativePort(), "datacenter1")) {
            Row row = session.execute(SimpleStatement.newInstance(
                    "SELECT deleted_to FROM securecomm.metadata WHERE persistence_id = ?", persistenceId)).one();
            return row == null ? 0 : row.getLong("deleted_to");
        }
    }

    @Test
    void batchesStayWithinTheByteLimitAndAnOversizedPduGoesAlone() {
        Pdu small = sizedPdu(90);
        Pdu large = sizedPdu(400);
        int smallBytes = small.getSerializedSize();
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.HOLD);
        ActorRef<FederationPeer.Command> queue = spawn(domain(),
                settings(100, 2 * smallBytes + 10, Duration.ofMillis(100), Duration.ofMillis(400), 1000, 1 << 20, Duration.ofMinutes(1)), peer);
        enqueue(queue, small, Duration.ZERO);
        ScriptedTransport.Call first = peer.next(WAIT);
        for (Pdu pdu : List.of(small, small, small, large, small)) {
            enqueue(queue, pdu, Duration.ZERO);
        }
        peer.mode = ScriptedTransport.Mode.ACK;
        peer.acknowledge(first);
        assertEquals(List.of(2L, 3L), peer.next(WAIT).sequences());
        assertEquals(List.of(4L), peer.next(WAIT).sequences());
        assertEquals(List.of(5L), peer.next(WAIT).sequences());
        assertEquals(List.of(6L), peer.next(WAIT).sequences());
    }

    @Test
    void aWaiterHearsDeliveredWithinItsWaitAndQueuedAfterIt() throws Exception {
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.ACK);
        ActorRef<FederationPeer.Command> queue = spawn(domain(), quick(), peer);
        EnqueueReply.Delivered delivered = (EnqueueReply.Delivered) enqueue(queue, pdu(1), Duration.ofSeconds(5));
        assertEquals(1, delivered.sequence());
        assertEquals(PduResult.newBuilder().setSequence(1).build(), PduResult.parseFrom(delivered.pduResult()));

        peer.mode = ScriptedTransport.Mode.HOLD;
        TestProbe<EnqueueReply> probe = testKit.createTestProbe();
        long started = System.nanoTime();
        queue.tell(new FederationPeer.Enqueue(pdu(2).toByteArray(), Duration.ofMillis(400), probe.ref()));
        ScriptedTransport.Call held = peer.next(WAIT);
        assertEquals(new EnqueueReply.Queued(2), probe.receiveMessage(WAIT));
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(380).toNanos(), "Queued only once the wait is over");
        peer.acknowledge(held);
        probe.expectNoMessage(Duration.ofMillis(300));
        assertTrue(reported.isEmpty(), "an OK result is reported to nobody");
    }

    @Test
    void refusesEnqueuesOverTheItemAndByteCaps() {
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.HOLD);
        ActorRef<FederationPeer.Command> byCount = spawn(domain(),
                settings(100, 1 << 20, Duration.ofMillis(100), Duration.ofMillis(400), 2, 1 << 20, Duration.ofMinutes(1)), peer);
        assertEquals(new EnqueueReply.Queued(1), enqueue(byCount, pdu(1), Duration.ZERO));
        assertEquals(new EnqueueReply.Queued(2), enqueue(byCount, pdu(2), Duration.ZERO));
        assertEquals(new EnqueueReply.QueueFull(), enqueue(byCount, pdu(3), Duration.ZERO));
        assertEquals(2, status(byCount).depth());

        Pdu pdu = sizedPdu(100);
        ActorRef<FederationPeer.Command> byBytes = spawn(domain(),
                settings(100, 1 << 20, Duration.ofMillis(100), Duration.ofMillis(400), 100, pdu.getSerializedSize() * 3L / 2, Duration.ofMinutes(1)),
                peer);
        assertEquals(new EnqueueReply.Queued(1), enqueue(byBytes, pdu, Duration.ZERO));
        assertEquals(new EnqueueReply.QueueFull(), enqueue(byBytes, pdu, Duration.ZERO));
        assertEquals(new EnqueueReply.Queued(2), enqueue(byBytes, pdu(1), Duration.ZERO), "a smaller one still fits; the refusal used no number");
    }

    @Test
    void backsOffExponentiallyThenDeliversEverythingInOrderOnce() throws Exception {
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.FAIL);
        ActorRef<FederationPeer.Command> queue = spawn(domain(), quick(), peer);
        enqueue(queue, pdu(1), Duration.ZERO);
        List<Long> at = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ScriptedTransport.Call call = peer.next(WAIT);
            at.add(call.atNanos());
            if (i == 1) {
                enqueue(queue, pdu(2), Duration.ZERO); // queued during the backoff, not sent before the retry
                enqueue(queue, pdu(3), Duration.ZERO);
            }
        }
        long secondGap = TimeUnit.NANOSECONDS.toMillis(at.get(2) - at.get(1));
        long thirdGap = TimeUnit.NANOSECONDS.toMillis(at.get(3) - at.get(2));
        assertTrue(secondGap >= 150, "about 200 ms after the second failure, was " + secondGap);
        assertTrue(thirdGap >= 300, "about 400 ms (the cap) after the third, was " + thirdGap);
        PeerStatus failing = status(queue);
        assertEquals(3, failing.depth());
        assertTrue(failing.lastError().contains("peer down"), failing.lastError());

        peer.mode = ScriptedTransport.Mode.ACK;
        await("all delivered", () -> peer.acknowledgedNow().size() == 3);
        assertEquals(List.of(1L, 2L, 3L), peer.acknowledgedNow());
        PeerStatus delivered = status(queue);
        assertEquals(0, delivered.depth());
        assertEquals("", delivered.lastError());
        assertEquals(0, delivered.nextAttemptAtMillis());
        // Reset on success: the next failure waits the initial backoff again, not the cap.
        peer.mode = ScriptedTransport.Mode.FAIL;
        peer.calls.clear();
        enqueue(queue, pdu(4), Duration.ZERO);
        long firstFailure = peer.next(WAIT).atNanos();
        long retried = peer.next(WAIT).atNanos();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(retried - firstFailure) < 300, "backoff restarts at its initial value");
    }

    @Test
    void honoursThePeersRetryAfter() {
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.FAIL);
        peer.retryAfter = java.util.Optional.of(Duration.ofMillis(700));
        ActorRef<FederationPeer.Command> queue = spawn(domain(),
                settings(100, 1 << 20, Duration.ofMillis(50), Duration.ofSeconds(2), 100, 1 << 20, Duration.ofMinutes(1)), peer);
        enqueue(queue, pdu(1), Duration.ZERO);
        long first = peer.next(WAIT).atNanos();
        long second = peer.next(WAIT).atNanos();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(second - first) >= 650, "waited the peer's retry-after, not 50 ms");
    }

    @Test
    void dropsExpiredPdusForGoodEvenAfterARestart() throws Exception {
        String domain = domain();
        ManualClock clock = new ManualClock();
        ScriptedTransport down = new ScriptedTransport(ScriptedTransport.Mode.FAIL);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ActorRef<FederationPeer.Command> queue = spawn(domain, quick(), down, new FederationMetrics(registry, clock), clock);
        Pdu ringing = pdu(1).toBuilder().setExpiresAtMillis(clock.millis() + 60_000).build();
        enqueue(queue, ringing, Duration.ZERO);
        enqueue(queue, pdu(2), Duration.ZERO);
        await("both were tried", () -> down.calls.stream().anyMatch(c -> c.sequences().equals(List.of(1L, 2L))));
        clock.advance(Duration.ofMinutes(2));
        await("the expired one is dropped before the next attempt", () -> down.calls.stream().anyMatch(c -> c.sequences().equals(List.of(2L))));
        assertEquals(1, status(queue).depth());
        assertEquals(1.0, registry.get("securecomm_federation_pdus_expired").counter().count());
        testKit.stop(queue);

        // A clock before the expiry: only the persisted drop keeps it from being sent again.
        ScriptedTransport up = new ScriptedTransport(ScriptedTransport.Mode.ACK);
        ActorRef<FederationPeer.Command> recovered = spawn(domain, quick(), up, new FederationMetrics(registry, Clock.systemUTC()),
                Clock.systemUTC());
        await("the other one is delivered", () -> up.acknowledgedNow().equals(List.of(2L)));
        assertEquals(0, status(recovered).depth());
        assertTrue(up.calls.stream().noneMatch(c -> c.sequences().contains(1L)));
    }

    @Test
    void reportsRefusalsNobodyWaitsForAnyMore() throws Exception {
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.ACK);
        PduResult unknown = PduResult.newBuilder().setSequence(2).setError(ErrorCode.UNKNOWN_ACCOUNT).setMessage("no such user").build();
        PduResult mismatched = PduResult.newBuilder().setSequence(3).setError(ErrorCode.MISMATCHED_DEVICES).build();
        peer.refusals.put(2L, unknown);
        peer.refusals.put(3L, mismatched);
        String domain = domain();
        ActorRef<FederationPeer.Command> queue = spawn(domain, quick(), peer);
        enqueue(queue, pdu(1), Duration.ZERO);
        enqueue(queue, pdu(2), Duration.ZERO); // the sender heard Queued at once
        Pdu refused = reported.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(pdu(2).toBuilder().setSequence(2).build(), refused, "the original PDU, with its number");
        // The reporter adds the result right after the PDU, on the entity's thread: wait for it too.
        assertEquals(unknown, reportedResults.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        // A waiter hears the refusal itself: nothing to report later.
        EnqueueReply.Delivered told = (EnqueueReply.Delivered) enqueue(queue, pdu(3), Duration.ofSeconds(5));
        assertEquals(mismatched, PduResult.parseFrom(told.pduResult()));
        assertEquals(null, reported.poll(300, TimeUnit.MILLISECONDS));
        assertEquals(List.of(1L, 2L, 3L), peer.acknowledgedNow());
    }

    @Test
    void statusAndMetricsDescribeTheQueue() throws Exception {
        String domain = domain();
        ManualClock clock = new ManualClock();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.HOLD);
        ActorRef<FederationPeer.Command> queue = spawn(domain, quick(), peer, new FederationMetrics(registry, clock), clock);
        long enqueuedAt = clock.millis();
        int bytes = 0;
        for (int i = 1; i <= 3; i++) {
            enqueue(queue, pdu(i), Duration.ZERO);
            bytes += pdu(i).getSerializedSize();
        }
        ScriptedTransport.Call held = peer.next(WAIT);
        clock.advance(Duration.ofSeconds(10));
        assertEquals(new PeerStatus(domain, 3, bytes, enqueuedAt, 0, "", 0, true), status(queue));
        String tag = "{peer=\"" + domain + "\"}";
        String scrape = registry.scrape();
        assertTrue(scrape.contains("securecomm_federation_queue_depth" + tag + " 3.0"), scrape);
        assertTrue(scrape.contains("securecomm_federation_queue_oldest_seconds" + tag + " 10.0"), scrape);
        assertTrue(scrape.contains("securecomm_federation_last_success_timestamp_seconds" + tag + " 0.0"), scrape);

        peer.mode = ScriptedTransport.Mode.ACK;
        peer.acknowledge(held);
        await("drained", () -> status(queue).depth() == 0);
        PeerStatus drained = status(queue);
        assertEquals(clock.millis(), drained.lastSuccessAtMillis());
        assertEquals(0, drained.oldestEnqueuedAtMillis());
        assertTrue(!drained.inFlight());
        scrape = registry.scrape();
        assertTrue(scrape.contains("securecomm_federation_queue_depth" + tag + " 0.0"), scrape);
        assertTrue(scrape.contains("securecomm_federation_queue_oldest_seconds" + tag + " 0.0"), scrape);
        assertTrue(scrape.contains("securecomm_federation_pdus_delivered_total" + tag + " 3.0"), scrape);
        assertTrue(scrape.contains("securecomm_federation_last_success_timestamp_seconds" + tag + " " + (clock.millis() / 1000.0)), scrape);

        peer.mode = ScriptedTransport.Mode.FAIL;
        enqueue(queue, pdu(4), Duration.ZERO);
        await("a failure counted", () -> registry.scrape().contains("securecomm_federation_delivery_failures_total" + tag + " 1.0"));
        PeerStatus failing = status(queue);
        assertTrue(failing.nextAttemptAtMillis() > clock.millis(), "the retry time is known");

        testKit.stop(queue);
        await("gauges gone with the entity", () -> !registry.scrape().contains("securecomm_federation_queue_depth" + tag));
    }

    @Test
    void passivatesOnlyWhenEmptyAndIdle() {
        ScriptedTransport peer = new ScriptedTransport(ScriptedTransport.Mode.HOLD);
        ActorRef<FederationPeer.Command> queue = spawn(domain(),
                settings(100, 1 << 20, Duration.ofMillis(100), Duration.ofMillis(400), 100, 1 << 20, Duration.ofMillis(300)), peer);
        enqueue(queue, pdu(1), Duration.ZERO);
        ScriptedTransport.Call held = peer.next(WAIT);
        shard.expectNoMessage(Duration.ofMillis(900));
        peer.acknowledge(held);
        shard.expectMessageClass(ClusterSharding.Passivate.class, WAIT);
    }

    // ------------------------------------------------------------------ across actor systems

    private static ClusterSharding startNode(ActorTestKit kit, PeerTransport transport) throws InterruptedException {
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        await("the node is up", () -> cluster.selfMember().status() == MemberStatus.up());
        ClusterSharding sharding = ClusterSharding.get(kit.system());
        FederationEntities.initPeers(kit.system(), sharding, quick(), transport, (d, p, r) -> { },
                new FederationMetrics(new SimpleMeterRegistry(), Clock.systemUTC()), Clock.systemUTC());
        return sharding;
    }

    @Test
    void resumesDeliveryAfterANodeRestartWithoutNewTraffic() throws Exception {
        Config config = TestRelays.config(SharedCassandra.get(), TestRelays.newIdentifierKey(), Map.of());
        String domain = domain();
        ScriptedTransport down = new ScriptedTransport(ScriptedTransport.Mode.FAIL);
        ActorTestKit first = ActorTestKit.create("FederationPeerTestFirstNode", config);
        try {
            FederationQueues queues = new FederationQueues(startNode(first, down), WAIT);
            for (int i = 1; i <= 3; i++) {
                assertEquals(new EnqueueReply.Queued(i), queues.enqueue(domain, pdu(i), Duration.ZERO).toCompletableFuture().get(30, TimeUnit.SECONDS));
            }
            down.next(WAIT);
            assertEquals(3, queues.status(domain).toCompletableFuture().get(30, TimeUnit.SECONDS).depth());
        } finally {
            first.shutdownTestKit();
        }

        ScriptedTransport up = new ScriptedTransport(ScriptedTransport.Mode.ACK);
        ActorTestKit second = ActorTestKit.create("FederationPeerTestSecondNode", config);
        try {
            startNode(second, up);
            // Nothing is sent to the entity: sharding restarts it because it was remembered.
            await("the queued PDUs reach the peer", () -> up.acknowledgedNow().size() == 3);
            assertEquals(List.of(1L, 2L, 3L), up.acknowledgedNow());
        } finally {
            second.shutdownTestKit();
        }
    }

    @Test
    void queueStateAndMessagesSurviveTheirSerializer() throws Exception {
        Serialization serialization = SerializationExtension.get(testKit.system());
        PeerQueue queue = new PeerQueue();
        queue.add(new QueuedPdu(7, 1000, 0, pdu(7).toByteArray()));
        queue.add(new QueuedPdu(8, 2000, 5000, pdu(8).toByteArray()));
        queue.acknowledge(7, 3000);
        PeerQueue queueCopy = (PeerQueue) serialization.deserialize(serialization.serialize(queue).get(), PeerQueue.class).get();
        assertEquals(1, queueCopy.size());
        assertEquals(8, queueCopy.lastSequence());
        assertEquals(3000, queueCopy.lastSuccessAtMillis());
        assertEquals(queue.bytes(), queueCopy.bytes());
        assertArrayEquals(pdu(8).toByteArray(), queueCopy.itemsInOrder().get(0).pdu());
        assertEquals(5000, queueCopy.itemsInOrder().get(0).expiresAtMillis());

        // What crosses between nodes: the enqueue (with its wait and reply ref) and the answers.
        TestProbe<EnqueueReply> replyTo = testKit.createTestProbe();
        FederationPeer.Enqueue enqueue = new FederationPeer.Enqueue(pdu(1).toByteArray(), Duration.ofMillis(1500), replyTo.ref());
        FederationPeer.Enqueue enqueueCopy = (FederationPeer.Enqueue) serialization.deserialize(
                serialization.serialize(enqueue).get(), FederationPeer.Enqueue.class).get();
        assertEquals(Duration.ofMillis(1500), enqueueCopy.waitForOutcome());
        assertEquals(replyTo.ref(), enqueueCopy.replyTo());
        assertArrayEquals(enqueue.pdu(), enqueueCopy.pdu());
        for (Object reply : List.of(new EnqueueReply.QueueFull(), new EnqueueReply.Queued(4),
                new PeerStatus("peer.test", 1, 2, 3, 4, "down", 5, true))) {
            assertEquals(reply, serialization.deserialize(serialization.serialize(reply).get(), reply.getClass()).get());
        }
    }
}
