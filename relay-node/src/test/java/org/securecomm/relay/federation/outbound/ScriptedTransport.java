package org.securecomm.relay.federation.outbound;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.protocol.federation.v1.TransactionResult;

/** A peer as a test scripts it: acknowledges, fails (optionally with a retry-after) or holds each transaction. */
final class ScriptedTransport implements PeerTransport {

    enum Mode { ACK, FAIL, HOLD }

    record Call(Transaction transaction, CompletableFuture<TransactionResult> answer, long atNanos) {
        List<Long> sequences() {
            return transaction.getPdusList().stream().map(Pdu::getSequence).toList();
        }
    }

    /** A failure that carries the peer's retry-after, like a RATE_LIMITED rejection. */
    static final class PeerDown extends IOException implements RetryHint {
        private final transient Optional<Duration> retryAfter;

        PeerDown(Optional<Duration> retryAfter) {
            super("peer down");
            this.retryAfter = retryAfter;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return retryAfter;
        }
    }

    final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    /** Sequences the peer acknowledged, in the order it did. */
    final List<Long> acknowledged = Collections.synchronizedList(new ArrayList<>());
    final Map<Long, PduResult> refusals = new ConcurrentHashMap<>();
    volatile Mode mode = Mode.ACK;
    volatile Optional<Duration> retryAfter = Optional.empty();

    ScriptedTransport(Mode mode) {
        this.mode = mode;
    }

    @Override
    public CompletionStage<TransactionResult> deliver(String domain, Transaction transaction) {
        Call call = new Call(transaction, new CompletableFuture<>(), System.nanoTime());
        calls.add(call);
        switch (mode) {
            case ACK -> acknowledge(call);
            case FAIL -> call.answer().completeExceptionally(new PeerDown(retryAfter));
            default -> { } // HOLD: the test answers
        }
        return call.answer();
    }

    /** Answers {@code call} as a peer that applied all of it (refusals give their results). */
    void acknowledge(Call call) {
        TransactionResult.Builder result = TransactionResult.newBuilder();
        for (long sequence : call.sequences()) {
            result.addResults(refusals.getOrDefault(sequence, PduResult.newBuilder().setSequence(sequence).build()));
            result.setAppliedThrough(sequence);
        }
        acknowledged.addAll(call.sequences());
        call.answer().complete(result.build());
    }

    Call next(Duration timeout) {
        try {
            Call call = calls.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (call == null) {
                throw new AssertionError("no transaction sent within " + timeout);
            }
            return call;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    List<Long> acknowledgedNow() {
        synchronized (acknowledged) {
            return new ArrayList<>(acknowledged);
        }
    }
}
