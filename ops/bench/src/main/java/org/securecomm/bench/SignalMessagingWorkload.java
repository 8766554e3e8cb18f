package org.securecomm.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.GetPreKeyBundles;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.signal.libsignal.protocol.DuplicateMessageException;

/**
 * 1:1 messages encrypted with real libsignal ({@link SignalDevice}): pairs of devices register
 * with their identity keys, upload signed, last-resort Kyber and one-time prekeys, and the first
 * device of each pair fetches the other's bundle from the relay and starts a PQXDH session; both
 * then send at the offered rate (alternating directions, so the Double Ratchet turns). Each
 * recipient decrypts and checks the plaintext is exactly the canary text the sender encrypted.
 *
 * <p>Figures: messages/s, end-to-end latency from the intended send time (before encryption, so
 * no coordinated omission) to the checked plaintext, and the CPU time of each encrypt and decrypt
 * (thread CPU time). The canary text starts with {@link #canary()}, random per run, so a search of
 * the node's log and storage for it tells whether plaintext ever reached the relay.
 */
final class SignalMessagingWorkload implements MixWorkload {

    static final int MIN_PLAINTEXT = 64;
    static final int MAX_PLAINTEXT = 64 * 1024;
    private static final int ONE_TIME_KEYS = 2;
    private static final int SEND_ATTEMPTS = 3;
    private static final int RECENT_IDS = 200_000;
    private static final long RETRY_DELAY_MILLIS = 500;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * @param pairs              device pairs with a libsignal session between them
     * @param messagesPerSecond  offered messages per second, all pairs together
     * @param plaintextBytes     plaintext per message (the canary text, padded)
     */
    record Settings(int pairs, double messagesPerSecond, int plaintextBytes) {
        Settings {
            if (pairs < 1) {
                throw new IllegalArgumentException("signal: pairs must be at least 1, got " + pairs);
            }
            if (!(messagesPerSecond > 0) || messagesPerSecond > 100_000) {
                throw new IllegalArgumentException("signal: messages per second must be above 0 and at most 100000, got " + messagesPerSecond);
            }
            if (plaintextBytes < MIN_PLAINTEXT || plaintextBytes > MAX_PLAINTEXT) {
                throw new IllegalArgumentException("signal: plaintext bytes must be " + MIN_PLAINTEXT + " (the canary text) to " + MAX_PLAINTEXT
                        + ", got " + plaintextBytes);
            }
        }
    }

    /** Two devices with a session; direction 0 is a to b. */
    private final class Pair {
        final int index;
        final SignalDevice[] crypto = {new SignalDevice(), new SignalDevice()};
        final Accounts.Connected[] devices = new Accounts.Connected[2];
        final AtomicLong[] sequence = {new AtomicLong(), new AtomicLong()};
        // Intended send time of each message not yet decrypted, by direction and sequence number.
        final List<Map<Long, Long>> inFlight = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        // Messages whose send failed after its retries: the relay may still have stored one.
        final List<Set<Long>> givenUp = List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
        final CompletableFuture<Void> ready = new CompletableFuture<>();

        Pair(int index) {
            this.index = index;
        }
    }

    private final Settings settings;
    private final String canary = "SCCANARY" + HexFormat.of().formatHex(randomBytes(8));
    private final List<Pair> pairs = new ArrayList<>();
    private final ExecutorService decryptor = Executors.newSingleThreadExecutor(daemon("bench-signal-decrypt"));
    private final LongAdder sent = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder decrypted = new LongAdder();
    private final LongAdder mismatched = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder storedTwice = new LongAdder();
    // Ids of the envelopes decrypted lately (decrypting thread only): tells a redelivery of one
    // envelope from a second envelope for the same message (a retried send stored twice).
    private final Map<ByteString, Boolean> decryptedIds = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteString, Boolean> eldest) {
            return size() > RECENT_IDS;
        }
    };
    private final LongAdder deliveredAfterFailure = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder encryptCpuNanos = new LongAdder();
    private final LongAdder decryptCpuNanos = new LongAdder();
    // Microseconds, up to an hour.
    private final Recorder latencies = new Recorder(3_600_000_000L, 3);
    // Nanoseconds of thread CPU, up to 10 s.
    private final Recorder encryptCpu = new Recorder(10_000_000_000L, 3);
    private final Recorder decryptCpu = new Recorder(10_000_000_000L, 3);
    private final Histogram latencyTotal = new Histogram(3_600_000_000L, 3);
    private final Histogram encryptTotal = new Histogram(10_000_000_000L, 3);
    private final Histogram decryptTotal = new Histogram(10_000_000_000L, 3);
    private MixContext context;
    private volatile boolean running;
    private volatile byte[] lastCiphertext = new byte[0];
    private Thread sender;
    private long startNanos;
    private long stopNanos;
    private long startSent;
    private long startDecrypted;
    private long startEncryptCpu;
    private long startDecryptCpu;
    private long lastProgressNanos;
    private long lastDecrypted;

    SignalMessagingWorkload(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "signal";
    }

    /** The text every plaintext of this run starts with (never to be found at the relay). */
    String canary() {
        return canary;
    }

    @Override
    public void setUp(MixContext context) throws Exception {
        this.context = context;
        System.out.printf(Locale.ROOT, "signal: registering %d pairs of libsignal devices, PQXDH sessions%n", settings.pairs());
        List<Pair> ready = Accounts.runAll("signal: pairs", settings.pairs(), context.setupConcurrency(), this::setUpPair, context.errors());
        for (Pair pair : ready) {
            if (pair == null) {
                throw new IllegalStateException("signal: a pair could not be set up (see the errors above)");
            }
            pairs.add(pair);
        }
    }

    /** Registers both devices with their keys, then a's PQXDH session with b, and one message each way (the session is answered). */
    private CompletableFuture<Pair> setUpPair(int index) {
        Pair pair = new Pair(index);
        return register(pair, 0).thenCombine(register(pair, 1), (a, b) -> pair)
                .thenCompose(p -> p.devices[0].connection().call(ClientMessage.newBuilder().setGetPreKeyBundles(
                        GetPreKeyBundles.newBuilder().setAddress(p.devices[1].device().address()))))
                .thenCompose(response -> {
                    try {
                        pair.crypto[0].startSessions(response.getPreKeyBundles());
                    } catch (Exception e) {
                        return CompletableFuture.failedFuture(e);
                    }
                    send(pair, 0); // the PreKey message; b answers it when it decrypts it (see received)
                    return pair.ready.orTimeout(30, TimeUnit.SECONDS);
                })
                .thenApply(done -> pair);
    }

    private CompletableFuture<Accounts.Connected> register(Pair pair, int side) {
        SignalDevice crypto = pair.crypto[side];
        return context.accounts().registerConnected((connection, push, nanos) -> onPush(pair, side, connection, push, nanos),
                        connection -> context.accounts().registerAndAuthenticate(connection, "signal", crypto.registrationId(), crypto.publicIdentityKey()))
                .thenCompose(connected -> connected.connection().call(ClientMessage.newBuilder().setUploadKeys(crypto.prekeys(ONE_TIME_KEYS)))
                        .thenApply(uploaded -> {
                            pair.devices[side] = connected;
                            return connected;
                        }));
    }

    @Override
    public void start() {
        startNanos = System.nanoTime();
        lastProgressNanos = startNanos;
        startSent = sent.sum();
        startDecrypted = decrypted.sum();
        lastDecrypted = startDecrypted;
        startEncryptCpu = encryptCpuNanos.sum();
        startDecryptCpu = decryptCpuNanos.sum();
        latencies.reset();
        encryptCpu.reset();
        decryptCpu.reset();
        running = true;
        sender = new Thread(this::sendLoop, "bench-signal-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /** Open loop: message n is due at start + n periods; a late sender catches up at once. */
    private void sendLoop() {
        long period = Math.max(1, Math.round(1e9 / settings.messagesPerSecond()));
        long start = System.nanoTime();
        long n = 0;
        while (running) {
            long due = start + n * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                continue;
            }
            Pair pair = pairs.get((int) (n % pairs.size()));
            send(pair, (int) ((n / pairs.size()) % 2), due);
            n++;
        }
    }

    private void send(Pair pair, int direction) {
        send(pair, direction, System.nanoTime());
    }

    private void send(Pair pair, int direction, long intendedNanos) {
        long seq = pair.sequence[direction].getAndIncrement();
        Accounts.Connected from = pair.devices[direction];
        Device to = pair.devices[1 - direction].device();
        OutgoingEnvelope envelope;
        try {
            long cpu = THREADS.getCurrentThreadCpuTime();
            envelope = pair.crypto[direction].encrypt(to.address(), to.deviceId(), plaintext(pair.index, direction, seq));
            cpu = THREADS.getCurrentThreadCpuTime() - cpu;
            encryptCpuNanos.add(cpu);
            encryptCpu.recordValue(Math.max(0, cpu));
        } catch (Exception e) {
            failed(e);
            return;
        }
        lastCiphertext = envelope.getContent().toByteArray();
        pair.inFlight.get(direction).put(seq, intendedNanos);
        sent.increment();
        // One message id for every attempt: the relay stores a retried send once (as the SDK's ReliableSend).
        SendEnvelopes request = SendEnvelopes.newBuilder().setDestination(to.address()).addEnvelopes(envelope)
                .setClientTimestamp(System.currentTimeMillis()).setUrgent(true).setMessageId(UnsafeByteOperations.unsafeWrap(randomBytes(16))).build();
        attempt(pair, direction, seq, from.connection(), request, SEND_ATTEMPTS);
    }

    private void attempt(Pair pair, int direction, long seq, BenchConnection connection, SendEnvelopes request, int attemptsLeft) {
        connection.call(ClientMessage.newBuilder().setSendEnvelopes(request)).whenComplete((ok, failure) -> {
            if (failure == null) {
                accepted.increment();
            } else if (attemptsLeft > 1 && retryable(failure) && connection.isOpen()) {
                retries.increment();
                context.pool().scheduler().schedule(() -> attempt(pair, direction, seq, connection, request, attemptsLeft - 1),
                        RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                pair.givenUp.get(direction).add(seq);
                pair.inFlight.get(direction).remove(seq);
                failed(failure);
            }
        });
    }

    private static boolean retryable(Throwable failure) {
        Throwable cause = ErrorCounter.unwrap(failure);
        if (cause instanceof RelayError relay) {
            return relay.code() == ErrorCode.UNAVAILABLE || relay.code() == ErrorCode.RATE_LIMITED;
        }
        return cause instanceof java.util.concurrent.TimeoutException;
    }

    /** The plaintext of message {@code seq} of a pair's direction: the canary, the numbers, padding. */
    private byte[] plaintext(int pair, int direction, long seq) {
        byte[] text = Arrays.copyOf((canary + "|" + pair + "|" + direction + "|" + seq + "|").getBytes(StandardCharsets.US_ASCII),
                settings.plaintextBytes());
        for (int i = text.length - 1; i >= 0 && text[i] == 0; i--) {
            text[i] = '.';
        }
        return text;
    }

    private void onPush(Pair pair, int side, BenchConnection connection, Push push, long receivedNanos) {
        if (!push.hasEnvelope()) {
            return; // queue empty, prekey stock low: nothing to do here
        }
        Envelope envelope = push.getEnvelope();
        decryptor.execute(() -> received(pair, side, envelope));
        connection.request(ClientMessage.newBuilder().setAcknowledgeEnvelopes(AcknowledgeEnvelopes.newBuilder().addEnvelopeIds(envelope.getId())))
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        failed(failure);
                    }
                });
    }

    /** Decrypts on the decrypting thread and checks the plaintext is the canary text of a message in flight. */
    private void received(Pair pair, int side, Envelope envelope) {
        byte[] plaintext;
        try {
            long cpu = THREADS.getCurrentThreadCpuTime();
            plaintext = pair.crypto[side].decrypt(envelope);
            cpu = THREADS.getCurrentThreadCpuTime() - cpu;
            decryptCpuNanos.add(cpu);
            decryptCpu.recordValue(Math.max(0, cpu));
        } catch (DuplicateMessageException e) {
            // libsignal refuses a message key used already: the relay delivered this message again.
            (decryptedIds.containsKey(envelope.getId()) ? redelivered : storedTwice).increment();
            return;
        } catch (Exception e) {
            failed(e);
            return;
        }
        decryptedIds.put(envelope.getId(), Boolean.TRUE);
        int direction = 1 - side;
        String[] fields = new String(plaintext, StandardCharsets.US_ASCII).split("\\|", 5);
        long seq = -1;
        if (fields.length == 5) {
            try {
                seq = Long.parseLong(fields[3]);
            } catch (NumberFormatException e) {
                // not ours: a mismatch below
            }
        }
        if (seq < 0 || !Arrays.equals(plaintext, plaintext(pair.index, direction, seq))) {
            mismatched.increment();
            context.errors().count("CANARY_MISMATCH");
            return;
        }
        Long intended = pair.inFlight.get(direction).remove(seq);
        if (intended == null) {
            // Not waited for: its send failed but the relay had stored it, or a second delivery (at least once).
            (pair.givenUp.get(direction).remove(seq) ? deliveredAfterFailure : duplicates).increment();
            return;
        }
        decrypted.increment();
        latencies.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
        if (seq == 0 && direction == 0) {
            send(pair, 1); // answer the PreKey message: the session is now a Double Ratchet both ways
        } else if (seq == 0) {
            pair.ready.complete(null);
        }
    }

    private void failed(Throwable failure) {
        failures.increment();
        String kind = context.errors().count(failure);
        if (failures.sum() <= 3) {
            System.out.println("  signal: " + kind + " " + ErrorCounter.unwrap(failure).getMessage());
        }
    }

    @Override
    public String progress() {
        long now = System.nanoTime();
        Histogram interval = latencies.getIntervalHistogram();
        latencyTotal.add(interval);
        encryptTotal.add(encryptCpu.getIntervalHistogram());
        decryptTotal.add(decryptCpu.getIntervalHistogram());
        long decryptedNow = decrypted.sum();
        String text = String.format(Locale.ROOT, "signal %s decrypted (p99 %s), %d failed, %d mismatched",
                Report.rate((decryptedNow - lastDecrypted) / Math.max(1e-3, (now - lastProgressNanos) / 1e9)),
                interval.getTotalCount() == 0 ? "-" : Report.ms(interval.getValueAtPercentile(99)), failures.sum(), mismatched.sum());
        lastProgressNanos = now;
        lastDecrypted = decryptedNow;
        return text;
    }

    /** Stops sending and waits (bounded) until every accepted message is decrypted. */
    @Override
    public void stop() {
        running = false;
        if (sender == null) {
            return;
        }
        try {
            sender.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopNanos = System.nanoTime();
        long deadline = stopNanos + DRAIN_NANOS;
        while (inFlight() > 0 && System.nanoTime() < deadline) {
            Scenarios.sleepSeconds(0.05);
        }
        latencyTotal.add(latencies.getIntervalHistogram());
        encryptTotal.add(encryptCpu.getIntervalHistogram());
        decryptTotal.add(decryptCpu.getIntervalHistogram());
    }

    /** Messages sent and not decrypted yet. */
    long inFlight() {
        long n = 0;
        for (Pair pair : pairs) {
            n += pair.inFlight.get(0).size() + pair.inFlight.get(1).size();
        }
        return n;
    }

    /** The last message's ciphertext as sent (to check a search of the relay's storage reaches the envelopes). */
    byte[] lastCiphertext() {
        return lastCiphertext;
    }

    long sent() {
        return sent.sum();
    }

    long decrypted() {
        return decrypted.sum();
    }

    long mismatched() {
        return mismatched.sum();
    }

    long failures() {
        return failures.sum();
    }

    /** Messages delivered more than once (whatever the cause). */
    long duplicates() {
        return duplicates.sum() + redelivered.sum() + storedTwice.sum();
    }

    @Override
    public void report(Report report) {
        double seconds = Math.max(1e-3, ((stopNanos == 0 ? System.nanoTime() : stopNanos) - startNanos) / 1e9);
        long sentHere = sent.sum() - startSent;
        long decryptedHere = decrypted.sum() - startDecrypted;
        double encryptUs = (encryptCpuNanos.sum() - startEncryptCpu) / 1000.0 / Math.max(1, sentHere);
        double decryptUs = (decryptCpuNanos.sum() - startDecryptCpu) / 1000.0 / Math.max(1, decryptedHere);
        report.section(String.format(Locale.ROOT, "signal (real libsignal, PQXDH + Double Ratchet): %d pairs, %.0f messages/s offered, %d-byte plaintexts,"
                + " %.0f s", settings.pairs(), settings.messagesPerSecond(), settings.plaintextBytes(), seconds));
        report.line("sent %s, decrypted to the canary plaintext %s (%d of %d); mismatched %d; failures (sends after %d attempts, decrypts, acks) %d"
                        + " (sends failed but delivered anyway %d); send retries %d; not decrypted at the end %d",
                Report.rate(sentHere / seconds), Report.rate(decryptedHere / seconds), decryptedHere, sentHere, mismatched.sum(), SEND_ATTEMPTS,
                failures.sum(), deliveredAfterFailure.sum(), retries.sum(), inFlight());
        report.line("delivered again (dropped by the client): same envelope redelivered %d, same message stored as a second envelope %d,"
                + " decrypted twice %d", redelivered.sum(), storedTwice.sum(), duplicates.sum());
        report.line("end to end (intended send, encrypt, relay, decrypt, check): %s", Report.percentiles(latencyTotal));
        report.line("client CPU per message: encrypt %.1f us (p50 %.1f, p99 %.1f), decrypt %.1f us (p50 %.1f, p99 %.1f)",
                encryptUs, encryptTotal.getValueAtPercentile(50) / 1000.0, encryptTotal.getValueAtPercentile(99) / 1000.0,
                decryptUs, decryptTotal.getValueAtPercentile(50) / 1000.0, decryptTotal.getValueAtPercentile(99) / 1000.0);
        double load = settings.messagesPerSecond();
        report.metric(new Report.Metric("signal", "securecomm", "messages decrypted", decryptedHere / seconds, "messages/s", load));
        report.metric(new Report.Metric("signal", "securecomm", "canary mismatches", mismatched.sum(), "messages", load));
        report.metric(new Report.Metric("signal", "securecomm", "encrypt CPU", encryptUs, "us/message", load));
        report.metric(new Report.Metric("signal", "securecomm", "decrypt CPU", decryptUs, "us/message", load));
        report.latencyMetrics("signal", "securecomm", "end-to-end latency", latencyTotal, load);
    }

    @Override
    public void close() {
        running = false;
        decryptor.shutdownNow();
        for (Pair pair : pairs) {
            for (Accounts.Connected device : pair.devices) {
                if (device != null) {
                    device.connection().startClose();
                }
            }
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
