package org.securecomm.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;

/**
 * Envelope traffic between sender/recipient device pairs: sends, pushes, acknowledgements and the
 * measurements. Every envelope's (random) content starts with a header the recipient reads: the
 * intended send time, the actual send time, the pair and a sequence number, so latency is
 * measured from the time the envelope <em>should</em> have been sent (no coordinated omission)
 * and duplicates are detected.
 *
 * <p>Recipients acknowledge in batches: at most one acknowledgement per recipient is in flight;
 * what arrives meanwhile goes into the next one (up to {@code ackBatchMax} ids).
 */
final class Traffic {

    static final int HEADER_BYTES = 32;
    private static final long PAUSE_AFTER_REFUSAL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** One sender device and the recipient device it sends to. */
    final class Pair {
        final int index;
        final Device sender;
        final Device recipient;
        final BenchConnection out;
        final BenchConnection in;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicLong sequence = new AtomicLong();
        final AtomicLong acceptedCount = new AtomicLong();
        final AtomicLong ackedCount = new AtomicLong();
        volatile long pausedUntil;
        // recipient side, guarded by ackLock
        private final Object ackLock = new Object();
        private List<ByteString> ackBuffer = new ArrayList<>();
        private boolean ackInFlight;
        private final BitSet seen = new BitSet();
        private final BitSet failed = new BitSet();

        Pair(int index, Accounts.Connected sender, Accounts.Connected recipient) {
            this.index = index;
            this.sender = sender.device();
            this.recipient = recipient.device();
            this.out = sender.connection();
            this.in = recipient.connection();
        }

        /**
         * Envelopes accepted by the relay (or being sent) that the recipient has not acknowledged yet
         * (an envelope whose send failed may still arrive and be acknowledged: never below 0).
         */
        long unacknowledged() {
            return Math.max(0, acceptedCount.get() + inFlight.get() - ackedCount.get());
        }
    }

    /** What the pump (closed-loop sending) does after a pair made progress. */
    interface ProgressListener {
        void progressed(Pair pair);
    }

    private final List<Pair> pairs = new ArrayList<>();
    private final byte[] template;
    private final int ackBatchMax;
    private final ErrorCounter errors;
    private final ScheduledExecutorService scheduler;
    private volatile ProgressListener progressListener = pair -> { };

    final LongAdder sent = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder sendFailed = new LongAdder();
    final LongAdder pushed = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder ackFailed = new LongAdder();
    final LongAdder ackRequests = new LongAdder();
    /** Sends answered with an error (or timed out) whose envelope was delivered anyway. */
    final LongAdder deliveredDespiteFailure = new LongAdder();

    /** Intended send time to push arrival, microseconds; only envelopes intended within the window. */
    final Recorder endToEnd = new Recorder(3);
    /** Actual send time to push arrival (what the load generator's own delays are not part of). */
    final Recorder service = new Recorder(3);
    /** Intended send time to EnvelopesAccepted. */
    final Recorder acceptance = new Recorder(3);
    /** Every push, for the progress lines. */
    final Recorder progress = new Recorder(3);
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowUntil = Long.MAX_VALUE;

    Traffic(int envelopeBytes, int ackBatchMax, ErrorCounter errors, ScheduledExecutorService scheduler) {
        if (envelopeBytes < HEADER_BYTES) {
            throw new IllegalArgumentException("envelopes must be at least " + HEADER_BYTES + " bytes");
        }
        this.template = new byte[envelopeBytes];
        new SecureRandom().nextBytes(template); // ciphertext looks random
        this.ackBatchMax = Math.min(ackBatchMax, org.securecomm.protocol.FrameLimits.MAX_ACKNOWLEDGED_IDS);
        this.errors = errors;
        this.scheduler = scheduler;
    }

    Pair addPair(Accounts.Connected sender, Accounts.Connected recipient) {
        Pair pair = new Pair(pairs.size(), sender, recipient);
        pairs.add(pair);
        return pair;
    }

    List<Pair> pairs() {
        return pairs;
    }

    void onProgress(ProgressListener listener) {
        this.progressListener = listener;
    }

    /** Latency is recorded for envelopes whose intended send time is in [from, until). */
    void recordWindow(long fromNanos, long untilNanos) {
        this.windowFrom = fromNanos;
        this.windowUntil = untilNanos;
    }

    // ------------------------------------------------------------------ sending

    void send(Pair pair, long intendedNanos) {
        long sequence = pair.sequence.getAndIncrement();
        byte[] content = template.clone();
        long now = System.nanoTime();
        ByteBuffer.wrap(content).putLong(intendedNanos).putLong(now).putInt(pair.index).putLong(sequence);
        ClientMessage.Builder request = ClientMessage.newBuilder().setSendEnvelopes(SendEnvelopes.newBuilder()
                .setDestination(pair.recipient.address())
                .setClientTimestamp(System.currentTimeMillis())
                .addEnvelopes(OutgoingEnvelope.newBuilder()
                        .setDeviceId(pair.recipient.deviceId())
                        .setRegistrationId(pair.recipient.registrationId())
                        .setType(EnvelopeType.OPAQUE)
                        .setContent(UnsafeByteOperations.unsafeWrap(content))));
        pair.inFlight.incrementAndGet();
        sent.increment();
        pair.out.request(request).whenComplete((response, failure) -> onSendResult(pair, sequence, intendedNanos, response, failure));
    }

    private void onSendResult(Pair pair, long sequence, long intendedNanos, Response response, Throwable failure) {
        if (failure != null || response.hasError()) {
            sendFailed.increment();
            if (sequence < Integer.MAX_VALUE) {
                synchronized (pair.ackLock) {
                    pair.failed.set((int) sequence);
                    if (pair.seen.get((int) sequence)) {
                        deliveredDespiteFailure.increment();
                    }
                }
            }
            if (failure != null) {
                errors.count(failure);
            } else {
                errors.count(response.getError().getCode().name());
            }
            if (failure != null || retryLater(response.getError().getCode())) {
                pair.pausedUntil = System.nanoTime() + PAUSE_AFTER_REFUSAL_NANOS;
                pair.inFlight.decrementAndGet();
                scheduler.schedule(() -> progressListener.progressed(pair), PAUSE_AFTER_REFUSAL_NANOS, TimeUnit.NANOSECONDS);
                return;
            }
        } else {
            long now = System.nanoTime();
            pair.acceptedCount.incrementAndGet();
            accepted.increment();
            if (intendedNanos >= windowFrom && intendedNanos < windowUntil) {
                acceptance.recordValue(Math.max(0, (now - intendedNanos) / 1000));
            }
        }
        pair.inFlight.decrementAndGet();
        progressListener.progressed(pair);
    }

    private static boolean retryLater(ErrorCode code) {
        return code == ErrorCode.RATE_LIMITED || code == ErrorCode.UNAVAILABLE || code == ErrorCode.MAILBOX_FULL
                || code == ErrorCode.INTERNAL_ERROR;
    }

    // ------------------------------------------------------------------ receiving

    /** The recipients' push listener. */
    void onPush(BenchConnection connection, Push push, long receivedNanos) {
        if (!push.hasEnvelope()) {
            return;
        }
        Envelope envelope = push.getEnvelope();
        ByteBuffer content = envelope.getContent().asReadOnlyByteBuffer();
        if (content.remaining() < HEADER_BYTES) {
            return;
        }
        long intended = content.getLong(0);
        long actual = content.getLong(8);
        int index = content.getInt(16);
        long sequence = content.getLong(20);
        if (index < 0 || index >= pairs.size() || pairs.get(index).in != connection) {
            return; // not ours
        }
        Pair pair = pairs.get(index);
        boolean duplicate;
        List<ByteString> batch = null;
        synchronized (pair.ackLock) {
            duplicate = sequence < Integer.MAX_VALUE && pair.seen.get((int) sequence);
            if (sequence < Integer.MAX_VALUE) {
                pair.seen.set((int) sequence);
                if (!duplicate && pair.failed.get((int) sequence)) {
                    deliveredDespiteFailure.increment();
                }
            }
            pair.ackBuffer.add(envelope.getId());
            if (!pair.ackInFlight) {
                batch = takeBatch(pair);
            }
        }
        if (duplicate) {
            duplicates.increment();
        } else {
            pushed.increment();
            long latencyMicros = Math.max(0, (receivedNanos - intended) / 1000);
            progress.recordValue(latencyMicros);
            if (intended >= windowFrom && intended < windowUntil) {
                endToEnd.recordValue(latencyMicros);
                service.recordValue(Math.max(0, (receivedNanos - actual) / 1000));
            }
        }
        if (batch != null) {
            acknowledge(pair, batch);
        }
    }

    private List<ByteString> takeBatch(Pair pair) {
        List<ByteString> batch;
        if (pair.ackBuffer.size() <= ackBatchMax) {
            batch = pair.ackBuffer;
            pair.ackBuffer = new ArrayList<>();
        } else {
            List<ByteString> head = pair.ackBuffer.subList(0, ackBatchMax);
            batch = new ArrayList<>(head);
            head.clear();
        }
        pair.ackInFlight = true;
        return batch;
    }

    private void acknowledge(Pair pair, List<ByteString> batch) {
        ackRequests.increment();
        pair.in.request(ClientMessage.newBuilder().setAcknowledgeEnvelopes(AcknowledgeEnvelopes.newBuilder().addAllEnvelopeIds(batch)))
                .whenComplete((response, failure) -> {
                    boolean retry = false;
                    if (failure != null || response.hasError()) {
                        ackFailed.add(batch.size());
                        if (failure != null) {
                            errors.count(failure);
                            retry = pair.in.isOpen();
                        } else {
                            errors.count(response.getError().getCode().name());
                            retry = retryLater(response.getError().getCode());
                        }
                    } else {
                        acked.add(batch.size());
                        pair.ackedCount.addAndGet(batch.size());
                    }
                    List<ByteString> next = null;
                    synchronized (pair.ackLock) {
                        pair.ackInFlight = false;
                        if (retry) {
                            pair.ackBuffer.addAll(0, batch);
                        }
                        if (!pair.ackBuffer.isEmpty()) {
                            next = takeBatch(pair);
                        }
                    }
                    if (next != null) {
                        acknowledge(pair, next);
                    }
                    progressListener.progressed(pair);
                });
    }

    /** Counters at one instant. */
    record Counters(long nanos, long sent, long accepted, long sendFailed, long pushed, long duplicates, long acked, long ackRequests) {
        static Counters of(Traffic t) {
            return new Counters(System.nanoTime(), t.sent.sum(), t.accepted.sum(), t.sendFailed.sum(), t.pushed.sum(),
                    t.duplicates.sum(), t.acked.sum(), t.ackRequests.sum());
        }

        double seconds(Counters later) {
            return (later.nanos - nanos) / 1e9;
        }
    }

    long unacknowledged() {
        return pairs.stream().mapToLong(Pair::unacknowledged).sum();
    }

    private boolean acknowledgementsIdle() {
        for (Pair pair : pairs) {
            synchronized (pair.ackLock) {
                if (pair.ackInFlight || !pair.ackBuffer.isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    long inFlight() {
        return pairs.stream().mapToLong(p -> p.inFlight.get()).sum();
    }

    /** Waits until every accepted envelope is acknowledged, or the time is up; answers what is left. */
    long awaitDrained(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (inFlight() == 0 && unacknowledged() == 0 && acknowledgementsIdle()) {
                return 0;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return unacknowledged();
    }
}
