package org.securecomm.relay.federation.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.DevicePush;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.TransactionResult;
import org.securecomm.relay.support.TestKits;

/** The inbound federation inbox on real Cassandra persistence: once, in order, with remembered results. */
class FederationInboxTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = TestKits.withCassandra("FederationInboxTest");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** Applies by recording; refuses sequences in {@code refusals}; throws once for sequences in {@code failOnce}. */
    private static final class RecordingApplier implements PduApplier {
        final List<Long> applied = Collections.synchronizedList(new ArrayList<>());
        final Map<Long, ErrorCode> refusals = new ConcurrentHashMap<>();
        final Set<Long> failOnce = ConcurrentHashMap.newKeySet();

        @Override
        public CompletableFuture<PduResult> apply(String origin, Pdu pdu) {
            applied.add(pdu.getSequence());
            if (failOnce.remove(pdu.getSequence())) {
                return CompletableFuture.failedFuture(new IllegalStateException("mailbox unavailable"));
            }
            // Answered later, from another thread, as a real applier would.
            return CompletableFuture.supplyAsync(() -> PduResult.newBuilder()
                    .setError(refusals.getOrDefault(pdu.getSequence(), ErrorCode.ERROR_CODE_UNSPECIFIED)).build(),
                    CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS));
        }

        List<Long> appliedNow() {
            synchronized (applied) {
                return new ArrayList<>(applied);
            }
        }
    }

    private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();

    private ActorRef<FederationInbox.Command> spawn(String origin, PduApplier applier) {
        return testKit.spawn(FederationInbox.create(origin, shard.ref(), applier, Duration.ofMinutes(1), Clock.systemUTC()));
    }

    private static Pdu pdu(long sequence) {
        return Pdu.newBuilder().setSequence(sequence)
                .setDevicePush(DevicePush.newBuilder().setAddress("user" + sequence + "@peer.test").setDeviceId((int) sequence)).build();
    }

    private static List<byte[]> transaction(long... sequences) {
        List<byte[]> pdus = new ArrayList<>();
        for (long sequence : sequences) {
            pdus.add(pdu(sequence).toByteArray());
        }
        return pdus;
    }

    private static TransactionResult apply(ActorRef<FederationInbox.Command> inbox, List<byte[]> pdus) throws Exception {
        TestProbe<byte[]> probe = testKit.createTestProbe();
        inbox.tell(new FederationInbox.Apply(pdus, probe.ref()));
        return TransactionResult.parseFrom(probe.receiveMessage(WAIT));
    }

    private static PduResult ok(long sequence) {
        return PduResult.newBuilder().setSequence(sequence).build();
    }

    @Test
    void appliesARetriedTransactionOnceAndAnswersTheOriginalResults() throws Exception {
        RecordingApplier applier = new RecordingApplier();
        applier.refusals.put(2L, ErrorCode.UNKNOWN_ACCOUNT);
        ActorRef<FederationInbox.Command> inbox = spawn(UUID.randomUUID() + ".origin.test", applier);
        PduResult refused = PduResult.newBuilder().setSequence(2).setError(ErrorCode.UNKNOWN_ACCOUNT).build();
        TransactionResult expected = TransactionResult.newBuilder().setAppliedThrough(3)
                .addResults(ok(1)).addResults(refused).addResults(ok(3)).build();

        // The origin timed out and sent the same transaction again while the first was being applied.
        TestProbe<byte[]> firstProbe = testKit.createTestProbe();
        TestProbe<byte[]> retryProbe = testKit.createTestProbe();
        inbox.tell(new FederationInbox.Apply(transaction(1, 2, 3), firstProbe.ref()));
        inbox.tell(new FederationInbox.Apply(transaction(1, 2, 3), retryProbe.ref()));
        assertEquals(expected, TransactionResult.parseFrom(firstProbe.receiveMessage(WAIT)));
        assertEquals(expected, TransactionResult.parseFrom(retryProbe.receiveMessage(WAIT)));
        assertEquals(expected, apply(inbox, transaction(1, 2, 3)));
        assertEquals(List.of(1L, 2L, 3L), applier.appliedNow());
    }

    @Test
    void appliesInSequenceOrderAndIgnoresOlderSequences() throws Exception {
        RecordingApplier applier = new RecordingApplier();
        ActorRef<FederationInbox.Command> inbox = spawn(UUID.randomUUID() + ".origin.test", applier);
        assertEquals(3, apply(inbox, transaction(1, 2, 3)).getAppliedThrough());
        TransactionResult reordered = apply(inbox, transaction(6, 5));
        assertEquals(6, reordered.getAppliedThrough(), "a gap (4 expired at the origin) is allowed");
        assertEquals(List.of(ok(5), ok(6)), reordered.getResultsList());
        TransactionResult mixed = apply(inbox, transaction(2, 7));
        assertEquals(List.of(ok(2), ok(7)), mixed.getResultsList());
        assertEquals(7, mixed.getAppliedThrough());
        TransactionResult older = apply(inbox, transaction(4));
        assertEquals(7, older.getAppliedThrough());
        assertEquals(List.of(ok(4)), older.getResultsList());
        assertEquals(List.of(1L, 2L, 3L, 5L, 6L, 7L), applier.appliedNow(), "4 came after 5 and is never applied");
    }

    @Test
    void anApplierFailureStopsTheTransactionAndTheRetryAppliesTheRestOnce() throws Exception {
        RecordingApplier applier = new RecordingApplier();
        applier.failOnce.add(2L);
        ActorRef<FederationInbox.Command> inbox = spawn(UUID.randomUUID() + ".origin.test", applier);
        TransactionResult partial = apply(inbox, transaction(1, 2, 3));
        assertEquals(1, partial.getAppliedThrough());
        assertEquals(List.of(ok(1)), partial.getResultsList());
        TransactionResult retried = apply(inbox, transaction(1, 2, 3));
        assertEquals(3, retried.getAppliedThrough());
        assertEquals(List.of(ok(1), ok(2), ok(3)), retried.getResultsList());
        assertEquals(List.of(1L, 2L, 2L, 3L), applier.appliedNow(), "1 and 3 once; 2 failed once, then applied");
    }

    @Test
    void remembersAcrossRestartsAndSkipsExpiredPdus() throws Exception {
        String origin = UUID.randomUUID() + ".origin.test";
        RecordingApplier applier = new RecordingApplier();
        applier.refusals.put(1L, ErrorCode.MAILBOX_FULL);
        ActorRef<FederationInbox.Command> inbox = spawn(origin, applier);
        List<byte[]> pdus = transaction(1);
        pdus.add(pdu(2).toBuilder().setExpiresAtMillis(System.currentTimeMillis() - 1000).build().toByteArray());
        TransactionResult first = apply(inbox, pdus);
        assertEquals(2, first.getAppliedThrough());
        assertEquals(ErrorCode.MAILBOX_FULL, first.getResults(0).getError());
        assertEquals(ErrorCode.ERROR_CODE_UNSPECIFIED, first.getResults(1).getError(), "an expired PDU counts as done");
        assertEquals(List.of(1L), applier.appliedNow(), "and is not applied");
        testKit.stop(inbox);

        RecordingApplier afterRestart = new RecordingApplier();
        ActorRef<FederationInbox.Command> recovered = spawn(origin, afterRestart);
        assertEquals(first, apply(recovered, pdus));
        assertEquals(4, apply(recovered, transaction(3, 4)).getAppliedThrough());
        assertEquals(List.of(3L, 4L), afterRestart.appliedNow());
    }

    @Test
    void passivatesWhenIdle() {
        ActorRef<FederationInbox.Command> inbox = testKit.spawn(FederationInbox.create(UUID.randomUUID() + ".origin.test", shard.ref(),
                new RecordingApplier(), Duration.ofMillis(300), Clock.systemUTC()));
        shard.expectMessageClass(ClusterSharding.Passivate.class, WAIT);
        testKit.stop(inbox);
    }

    @Test
    void statesAndMessagesSurviveTheirSerializer() throws Exception {
        Serialization serialization = SerializationExtension.get(testKit.system());
        InboxState inbox = new InboxState();
        for (long sequence = 1; sequence <= InboxState.REMEMBERED + 5; sequence++) {
            inbox.applied(sequence, ok(sequence).toByteArray());
        }
        InboxState inboxCopy = (InboxState) serialization.deserialize(serialization.serialize(inbox).get(), InboxState.class).get();
        assertEquals(inbox.appliedThrough(), inboxCopy.appliedThrough());
        assertEquals(InboxState.REMEMBERED, inboxCopy.resultsInOrder().size());
        assertEquals(ok(6), inboxCopy.resultOf(6));
        assertEquals(ok(3), inboxCopy.resultOf(3), "forgotten: OK");
    }
}
