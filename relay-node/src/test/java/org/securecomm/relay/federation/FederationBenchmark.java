package org.securecomm.relay.federation;

import com.google.protobuf.ByteString;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.securecomm.relay.federation.outbound.FederationPeer;
import org.securecomm.relay.support.FederatedClusters;
import org.securecomm.relay.support.TestDevice;

/**
 * Cross-domain envelope throughput and latency between two federated clusters on this machine. A
 * program that prints figures, not a test (nothing is asserted; {@code ./mvnw verify} never runs it).
 *
 * <p>{@link FederatedClusters} starts "a.test" and "b.test" in this JVM, each a one-node relay with
 * its own Cassandra child JVM, Ed25519 server key and TLS listener; every envelope from a sender on
 * a.test to its recipient on b.test goes through a.test's durable FederationPeer queue and a signed
 * HTTPS transaction to b.test's inbox, then into the recipient's mailbox and out as a push. The
 * load is the raw client protocol ({@link RelayConnection}, opaque contents carrying the send time
 * and a sequence number), so the client side is cheap. Recipients acknowledge what they receive,
 * at most one acknowledgement in flight each (what arrives meanwhile goes into the next one).
 *
 * <ol>
 *   <li>Throughput (closed loop): each sender keeps up to {@code --window} sends outstanding and
 *   pauses while more than {@code --max-backlog} of its envelopes are undelivered; warm-up, then
 *   the measured window: envelopes/s accepted by a.test ({@code EnvelopesAccepted}) and delivered
 *   (first push of each envelope) on b.test, errors by code, send → push and send → accepted
 *   latency at saturation, federation transactions and PDUs per transaction (from /metrics).</li>
 *   <li>Latency (open loop) at {@code --rate} envelopes/s over all pairs: the k-th envelope is due at
 *   start + k/rate whatever happened to earlier ones, and latencies count from that due time
 *   (no coordinated omission): due → push at the recipient, due → {@code EnvelopesAccepted}.</li>
 * </ol>
 *
 * Machine facts, load average before/after, CPU of this JVM (both relays and the load generator),
 * of each Cassandra JVM and of other processes are printed with each phase. Run from the
 * repository root (the modules relay-node depends on installed in the local repository):
 *
 * <pre>
 * ./mvnw -o -q install -DskipTests -pl protocol,federation,ops/cassandra,ops/turn,clients/core
 * ./mvnw -o -q test-compile -pl relay-node
 * ./mvnw -o -q dependency:build-classpath -pl relay-node -Dmdep.outputFile=/tmp/relay-test.cp -Dmdep.includeScope=test
 * java -Xmx2g -cp relay-node/target/test-classes:relay-node/target/classes:$(cat /tmp/relay-test.cp) \
 *   org.securecomm.relay.federation.FederationBenchmark --pairs 20 --size 256 --window 8 --warmup 60 --duration 30 --rate 100
 * </pre>
 *
 * {@code --help} lists the options. The relays log to relay-node/target/federation-bench.log (warnings also to
 * stderr); both Cassandra data directories are deleted at the end.
 */
public final class FederationBenchmark {

    private static final byte WARMUP = 0;
    private static final byte THROUGHPUT = 1;
    private static final byte LATENCY_WARMUP = 2;
    private static final byte LATENCY = 3;
    private static final String[] PHASE_NAMES = {"throughput warm-up", "throughput", "latency warm-up", "latency"};
    private static final int HEADER = 17; // send time (8), sequence (8), phase (1)

    /** The command line. */
    record Options(int pairs, int size, int window, int maxBacklog, int warmup, int duration, int rate, int latencyWarmup,
                   int latencyDuration, int drain) {

        static Options parse(String[] args) {
            Map<String, Integer> values = new LinkedHashMap<>();
            values.put("pairs", 20);
            values.put("size", 256);
            values.put("window", 8);
            values.put("max-backlog", 256);
            values.put("warmup", 60);
            values.put("duration", 30);
            values.put("rate", 100);
            values.put("latency-warmup", 15);
            values.put("latency-duration", 30);
            values.put("drain", 60);
            for (int i = 0; i < args.length; i++) {
                String name = args[i].startsWith("--") ? args[i].substring(2) : "";
                if (name.equals("help") || !values.containsKey(name) || i + 1 >= args.length) {
                    System.out.println("FederationBenchmark options (defaults): " + values.toString().replace("=", " ")
                            + "\n  pairs: sender devices on a.test, each with its own recipient device on b.test"
                            + "\n  size: envelope content bytes (at least " + HEADER + ")"
                            + "\n  window: sends outstanding per sender (throughput phase)"
                            + "\n  max-backlog: a sender pauses while more of its envelopes are undelivered"
                            + "\n  warmup, duration: throughput warm-up and measured seconds"
                            + "\n  rate: envelopes/s over all pairs in the latency phase (open loop)"
                            + "\n  latency-warmup, latency-duration: seconds"
                            + "\n  drain: at most this many seconds for what was accepted to arrive after each phase");
                    System.exit(name.equals("help") ? 0 : 2);
                }
                values.put(name, Integer.parseInt(args[++i]));
            }
            Options options = new Options(values.get("pairs"), Math.max(HEADER, values.get("size")), values.get("window"),
                    values.get("max-backlog"), values.get("warmup"), values.get("duration"), values.get("rate"),
                    values.get("latency-warmup"), values.get("latency-duration"), values.get("drain"));
            if (options.pairs < 1 || options.window < 1 || options.rate < 1 || options.duration < 1 || options.latencyDuration < 1) {
                throw new IllegalArgumentException("pairs, window, rate and durations must be positive: " + options);
            }
            return options;
        }
    }

    /** A sender device on a.test and its recipient device on b.test. */
    private final class Pair {
        final int index;
        final String destination;
        final int recipientDevice;
        RelayConnection sender;
        RelayConnection recipient;
        // guarded by this
        long nextSequence;
        int outstanding;
        long failed;
        // guarded by seen
        final BitSet seen = new BitSet();
        final AtomicLong received = new AtomicLong();
        final ConcurrentLinkedQueue<ByteString> toAcknowledge = new ConcurrentLinkedQueue<>();
        final AtomicBoolean acknowledging = new AtomicBoolean();

        Pair(int index, String destination, int recipientDevice) {
            this.index = index;
            this.destination = destination;
            this.recipientDevice = recipientDevice;
        }
    }

    private final Options options;
    private final List<Pair> pairs = new ArrayList<>();
    private final byte[] filler;
    private final LongAdder started = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder acknowledgements = new LongAdder();
    private final LongAdder acknowledgedIds = new LongAdder();
    private final List<Map<String, LongAdder>> errors = new ArrayList<>();
    private final Histogram[] pushLatency = new Histogram[4];
    private final Histogram[] acceptLatency = new Histogram[4];
    private volatile boolean closedLoop;
    private volatile byte phase = WARMUP;
    private FederatedClusters clusters;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FederationBenchmark(Options options) {
        this.options = options;
        this.filler = TestDevice.randomBytes(options.size);
        for (int i = 0; i < 4; i++) {
            pushLatency[i] = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(120), 3);
            acceptLatency[i] = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(120), 3);
            errors.add(new ConcurrentHashMap<>());
        }
    }

    public static void main(String[] args) throws Exception {
        String log = java.nio.file.Files.isDirectory(java.nio.file.Path.of("relay-node", "target"))
                ? "relay-node/target/federation-bench.log" : "target/federation-bench.log";
        System.setProperty("relay.test.log", System.getProperty("relay.test.log", log));
        Options options = Options.parse(args);
        FederationBenchmark benchmark = new FederationBenchmark(options);
        Runtime.getRuntime().addShutdownHook(new Thread(benchmark::close, "federation-bench-shutdown"));
        int status = 0;
        try {
            benchmark.run();
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        } finally {
            benchmark.close();
        }
        System.exit(status);
    }

    private void run() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("FederationBenchmark at %s%n", Instant.now());
        System.out.printf("machine: %d cores (%s), memory %s, load average %s%n", cores, FederationBenchStats.cpuModel(),
                FederationBenchStats.memTotal(), FederationBenchStats.loadAverage());
        System.out.printf("JVM: %s %s, max heap %d MiB, args %s%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.printf("settings: %s%n", options);

        Map<String, Object> overrides = new LinkedHashMap<>();
        // One simulated device sends far more than a person: per-connection limits out of the way.
        for (String key : List.of("envelopes-per-second", "envelope-burst", "requests-per-second", "request-burst",
                "authentication-attempts-per-minute", "authentication-attempt-burst")) {
            overrides.put("securecomm.limits." + key, 1_000_000);
        }
        overrides.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on"); // two nodes in one JVM
        System.out.printf("cluster settings over FederatedClusters/TestRelays (shipped federation defaults otherwise: one transaction in flight"
                + " per peer, max-batch-pdus 100, delivery-wait 3s, 200 requests/s per origin): %s%n", overrides);

        long startNanos = System.nanoTime();
        clusters = FederatedClusters.start(List.of("a.test", "b.test"), overrides);
        FederatedClusters.Cluster a = clusters.cluster("a.test");
        FederatedClusters.Cluster b = clusters.cluster("b.test");
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("Cassandra a.test", a.cassandra().pid());
        pids.put("Cassandra b.test", b.cassandra().pid());
        System.out.printf("clusters started in %.1f s (Cassandra pids %s)%n", (System.nanoTime() - startNanos) / 1e9, pids.values());

        startNanos = System.nanoTime();
        String aUrl = a.node().clientUrl();
        String bUrl = b.node().clientUrl();
        for (int i = 0; i < options.pairs; i++) {
            TestDevice sender = TestDevice.register(aUrl, a.codes(), "sender" + i + "@bench.example", "sender" + i);
            TestDevice recipient = TestDevice.register(bUrl, b.codes(), "recipient" + i + "@bench.example", "recipient" + i);
            sender.close();
            recipient.close();
            Pair pair = new Pair(i, recipient.address, recipient.deviceId);
            pair.sender = connect(aUrl, sender, push -> { });
            pair.recipient = connect(bUrl, recipient, push -> onPush(pair, push));
            pairs.add(pair);
        }
        System.out.printf("%d senders on a.test and %d recipients on b.test registered and connected in %.1f s%n", options.pairs,
                options.pairs, (System.nanoTime() - startNanos) / 1e9);

        Thread progress = new Thread(this::progress, "federation-bench-progress");
        progress.setDaemon(true);
        progress.start();

        throughput(cores, a, b, pids);
        latency(cores, a, b, pids);
        System.out.printf("%nload average at the end %s; process CPU time of this JVM %.1f s over the run%n",
                FederationBenchStats.loadAverage(),
                ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9);
    }

    private static RelayConnection connect(String url, TestDevice device, java.util.function.Consumer<Push> listener) {
        RelayConnection connection = RelayConnection.connect(URI.create(url), null, listener, Duration.ofSeconds(30));
        connection.call(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                .setAccountId(device.accountId).setDeviceId(device.deviceId).setPassword(device.password))).join();
        return connection;
    }

    // ------------------------------------------------------------------ phase 1: throughput

    private void throughput(int cores, FederatedClusters.Cluster a, FederatedClusters.Cluster b, Map<String, Long> pids) throws Exception {
        System.out.printf("%n== throughput: %d pairs, %d-byte envelopes, window %d, %d s warm-up, %d s measured (load average %s)%n",
                options.pairs, options.size, options.window, options.warmup, options.duration, FederationBenchStats.loadAverage());
        phase = WARMUP;
        closedLoop = true;
        pairs.forEach(this::pump);
        Thread.sleep(TimeUnit.SECONDS.toMillis(options.warmup));

        Window window = Window.open(this, a, b, pids);
        phase = THROUGHPUT;
        Thread.sleep(TimeUnit.SECONDS.toMillis(options.duration));
        Window.Result result = window.close(this, a, b, pids);
        closedLoop = false;
        String loadAfter = FederationBenchStats.loadAverage();

        System.out.printf("%n-- throughput results (%.1f s measured)%n", result.seconds());
        System.out.printf("  accepted by a.test (EnvelopesAccepted): %,d = %,.0f envelopes/s%n", result.accepted(), result.accepted() / result.seconds());
        System.out.printf("  delivered to recipients on b.test (first push): %,d = %,.0f envelopes/s%n", result.delivered(),
                result.delivered() / result.seconds());
        result.printFederation();
        printLatency("  send -> push at saturation", pushLatency[THROUGHPUT]);
        printLatency("  send -> EnvelopesAccepted at saturation", acceptLatency[THROUGHPUT]);
        FederationBenchStats.printCpu("  ", result.cpuFrom(), result.cpuTo(), cores);
        System.out.printf("  load average after the window %s%n", loadAfter);
        drain("throughput");
        printErrors(WARMUP);
        printErrors(THROUGHPUT);
    }

    /** Sends while the window and the backlog allow (closed loop). */
    private void pump(Pair pair) {
        while (true) {
            long sequence;
            synchronized (pair) {
                if (!closedLoop || pair.outstanding >= options.window
                        || pair.nextSequence - pair.failed - pair.received.get() > options.maxBacklog) {
                    return;
                }
                pair.outstanding++;
                sequence = pair.nextSequence++;
            }
            send(pair, sequence, System.nanoTime(), phase, () -> {
                synchronized (pair) {
                    pair.outstanding--;
                }
                pump(pair);
            });
        }
    }

    // ------------------------------------------------------------------ phase 2: latency at a fixed rate

    private void latency(int cores, FederatedClusters.Cluster a, FederatedClusters.Cluster b, Map<String, Long> pids) throws Exception {
        System.out.printf("%n== latency: %,d envelopes/s over %d pairs (open loop), %d s warm-up, %d s measured (load average %s)%n",
                options.rate, options.pairs, options.latencyWarmup, options.latencyDuration, FederationBenchStats.loadAverage());
        double period = 1e9 / options.rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long warmupEnd = start + TimeUnit.SECONDS.toNanos(options.latencyWarmup);
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(options.latencyDuration);
        long maxBehind = 0;
        long measuredSends = 0;
        Window window = null;
        for (long k = 0; ; k++) {
            long due = start + (long) (k * period);
            if (due >= end) {
                break;
            }
            byte thisPhase = due < warmupEnd ? LATENCY_WARMUP : LATENCY;
            if (thisPhase == LATENCY && window == null) {
                waitUntil(due);
                window = Window.open(this, a, b, pids);
            }
            waitUntil(due);
            long behind = System.nanoTime() - due;
            Pair pair = pairs.get((int) (k % pairs.size()));
            long sequence;
            synchronized (pair) {
                sequence = pair.nextSequence++;
            }
            if (thisPhase == LATENCY) {
                maxBehind = Math.max(maxBehind, behind);
                measuredSends++;
            }
            phase = thisPhase;
            send(pair, sequence, due, thisPhase, () -> { });
        }
        Window.Result result = window.close(this, a, b, pids);
        String loadAfter = FederationBenchStats.loadAverage();
        drain("latency");
        Histogram push = pushLatency[LATENCY];
        System.out.printf("%n-- latency results (%.1f s measured, %,d envelopes due in it)%n", result.seconds(), measuredSends);
        System.out.printf("  achieved: %,.0f sent/s; %,d of %,d measured envelopes delivered (after the drain)%n",
                measuredSends / result.seconds(), push.getTotalCount(), measuredSends);
        printLatency("  due -> push at the recipient (end to end)", push);
        printLatency("  due -> EnvelopesAccepted (a.test persisted it and heard b.test's verdict)", acceptLatency[LATENCY]);
        System.out.printf("  load generator behind schedule: at most %.1f ms%n", maxBehind / 1e6);
        result.printFederation();
        FederationBenchStats.printCpu("  ", result.cpuFrom(), result.cpuTo(), cores);
        System.out.printf("  load average after the window %s%n", loadAfter);
        printErrors(LATENCY_WARMUP);
        printErrors(LATENCY);
    }

    private static void waitUntil(long due) {
        long remaining;
        while ((remaining = due - System.nanoTime()) > 0) {
            if (remaining > 200_000) {
                LockSupport.parkNanos(remaining - 100_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    // ------------------------------------------------------------------ the protocol

    private void send(Pair pair, long sequence, long stampNanos, byte sendPhase, Runnable done) {
        byte[] content = filler.clone();
        ByteBuffer.wrap(content).putLong(stampNanos).putLong(sequence).put(sendPhase);
        started.increment();
        ClientMessage.Builder request = ClientMessage.newBuilder().setSendEnvelopes(SendEnvelopes.newBuilder()
                .setDestination(pair.destination).setClientTimestamp(System.currentTimeMillis())
                .addEnvelopes(OutgoingEnvelope.newBuilder().setDeviceId(pair.recipientDevice).setType(EnvelopeType.OPAQUE)
                        .setContent(ByteString.copyFrom(content))));
        pair.sender.request(request).whenComplete((response, failure) -> {
            long now = System.nanoTime();
            String error = failure != null ? failureName(failure)
                    : response.hasError() ? response.getError().getCode().name()
                    : response.hasEnvelopesAccepted() ? null : "unexpected response " + response.getResultCase();
            if (error == null) {
                accepted.increment();
                record(acceptLatency[sendPhase], now - stampNanos);
            } else {
                errors.get(sendPhase).computeIfAbsent(error, e -> new LongAdder()).increment();
                synchronized (pair) {
                    pair.failed++;
                }
            }
            done.run();
        });
    }

    private static void record(Histogram histogram, long nanos) {
        histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), Math.max(0, nanos / 1000)));
    }

    private static String failureName(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName();
    }

    private void onPush(Pair pair, Push push) {
        if (!push.hasEnvelope()) {
            return;
        }
        long now = System.nanoTime();
        Envelope envelope = push.getEnvelope();
        ByteBuffer content = envelope.getContent().asReadOnlyByteBuffer();
        long stamp = content.getLong();
        int sequence = (int) content.getLong();
        byte sendPhase = content.get();
        boolean first;
        synchronized (pair.seen) {
            first = !pair.seen.get(sequence);
            pair.seen.set(sequence);
        }
        if (first) {
            pair.received.incrementAndGet();
            delivered.increment();
            record(pushLatency[sendPhase], now - stamp);
        } else {
            duplicates.increment();
        }
        pair.toAcknowledge.add(envelope.getId());
        acknowledge(pair);
        if (closedLoop) {
            pump(pair); // it may have paused on its backlog
        }
    }

    /** At most one acknowledgement in flight per recipient; what arrives meanwhile goes into the next. */
    private void acknowledge(Pair pair) {
        if (pair.toAcknowledge.isEmpty() || !pair.acknowledging.compareAndSet(false, true)) {
            return;
        }
        AcknowledgeEnvelopes.Builder ack = AcknowledgeEnvelopes.newBuilder();
        ByteString id;
        while ((id = pair.toAcknowledge.poll()) != null) {
            ack.addEnvelopeIds(id);
        }
        if (ack.getEnvelopeIdsCount() == 0) {
            pair.acknowledging.set(false);
            acknowledge(pair);
            return;
        }
        acknowledgements.increment();
        acknowledgedIds.add(ack.getEnvelopeIdsCount());
        pair.recipient.request(ClientMessage.newBuilder().setAcknowledgeEnvelopes(ack)).whenComplete((response, failure) -> {
            if (failure != null || response.hasError()) {
                String error = "acknowledge: " + (failure != null ? failureName(failure) : response.getError().getCode().name());
                errors.get(phase).computeIfAbsent(error, e -> new LongAdder()).increment();
            }
            pair.acknowledging.set(false);
            acknowledge(pair);
        });
    }

    // ------------------------------------------------------------------ reporting

    /** Counters, CPU and federation metrics at the start of a measured window. */
    private record Window(long nanos, long accepted, long delivered, long started, String aMetrics, String bMetrics,
                          FederationBenchStats.Sample cpu) {

        static Window open(FederationBenchmark bench, FederatedClusters.Cluster a, FederatedClusters.Cluster b, Map<String, Long> pids) {
            String aMetrics = FederationBenchStats.metrics(a.node().clientUrl());
            String bMetrics = FederationBenchStats.metrics(b.node().clientUrl());
            return new Window(System.nanoTime(), bench.accepted.sum(), bench.delivered.sum(), bench.started.sum(), aMetrics, bMetrics,
                    FederationBenchStats.sample(pids));
        }

        Result close(FederationBenchmark bench, FederatedClusters.Cluster a, FederatedClusters.Cluster b, Map<String, Long> pids) {
            FederationBenchStats.Sample cpuTo = FederationBenchStats.sample(pids);
            long now = System.nanoTime();
            long acceptedTo = bench.accepted.sum();
            long deliveredTo = bench.delivered.sum();
            long startedTo = bench.started.sum();
            return new Result((now - nanos) / 1e9, acceptedTo - accepted, deliveredTo - delivered, startedTo - started, aMetrics,
                    FederationBenchStats.metrics(a.node().clientUrl()), bMetrics, FederationBenchStats.metrics(b.node().clientUrl()), cpu, cpuTo);
        }

        record Result(double seconds, long accepted, long delivered, long started, String aFrom, String aTo, String bFrom, String bTo,
                      FederationBenchStats.Sample cpuFrom, FederationBenchStats.Sample cpuTo) {

            void printFederation() {
                String peer = "peer=\"b.test\"";
                double pdus = delta("securecomm_federation_pdus_delivered_total", aFrom, aTo, peer);
                double failures = delta("securecomm_federation_delivery_failures_total", aFrom, aTo, peer);
                String op = "operation=\"transaction\"";
                double transactions = delta("securecomm_federation_requests_seconds_count", bFrom, bTo, op);
                double okTransactions = delta("securecomm_federation_requests_seconds_count", bFrom, bTo, op, "outcome=\"ok\"");
                double serverSeconds = delta("securecomm_federation_requests_seconds_sum", bFrom, bTo, op);
                System.out.printf("  sends started %,d; federation a.test -> b.test: %,.0f transactions (%,.0f ok, %,.1f/s), %,.0f PDUs"
                                + " acknowledged (%,.1f per transaction), %,.0f failed attempts; b.test's time per transaction %.1f ms (%.2f ms per PDU);"
                                + " a.test's queue to b.test now %,.0f PDUs%n",
                        started, transactions, okTransactions, transactions / seconds, pdus, transactions == 0 ? 0 : pdus / transactions,
                        failures, transactions == 0 ? 0 : 1000 * serverSeconds / transactions, pdus == 0 ? 0 : 1000 * serverSeconds / pdus,
                        FederationBenchStats.metric(aTo, "securecomm_federation_queue_depth", peer));
            }

            private static double delta(String name, String from, String to, String... labels) {
                return FederationBenchStats.metric(to, name, labels) - FederationBenchStats.metric(from, name, labels);
            }
        }
    }

    private void progress() {
        long lastAccepted = 0;
        long lastDelivered = 0;
        long last = System.nanoTime();
        while (!closed.get()) {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long acceptedNow = accepted.sum();
            long deliveredNow = delivered.sum();
            long errorCount = errors.stream().flatMap(m -> m.values().stream()).mapToLong(LongAdder::sum).sum();
            double seconds = (now - last) / 1e9;
            System.out.printf("  [%s] %,.0f accepted/s, %,.0f delivered/s, %,d sent not yet delivered, %,d errors, load average %s%n",
                    PHASE_NAMES[phase], (acceptedNow - lastAccepted) / seconds, (deliveredNow - lastDelivered) / seconds,
                    started.sum() - deliveredNow, errorCount, FederationBenchStats.loadAverage());
            lastAccepted = acceptedNow;
            lastDelivered = deliveredNow;
            last = now;
        }
    }

    /** Waits for every answer and for everything accepted to arrive (at most --drain seconds), then says what is missing. */
    private void drain(String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.drain);
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            boolean answered = pairs.stream().allMatch(p -> {
                synchronized (p) {
                    return p.outstanding == 0;
                }
            });
            if (answered && delivered.sum() >= accepted.sum()) {
                break;
            }
            Thread.sleep(100);
        }
        long failed = errors.stream().flatMap(m -> m.values().stream()).mapToLong(LongAdder::sum).sum();
        System.out.printf("  after the %s phase: drained in %.1f s; so far %,d sent, %,d accepted, %,d delivered, %,d refused or failed,"
                        + " %,d accepted but not delivered, %,d duplicate pushes, %,d acknowledgements (%.1f ids each)%n",
                what, (System.nanoTime() - start) / 1e9, started.sum(), accepted.sum(), delivered.sum(), failed,
                Math.max(0, accepted.sum() - delivered.sum()), duplicates.sum(), acknowledgements.sum(),
                acknowledgements.sum() == 0 ? 0.0 : (double) acknowledgedIds.sum() / acknowledgements.sum());
    }

    private void printErrors(byte ofPhase) {
        Map<String, Long> byCode = new TreeMap<>();
        errors.get(ofPhase).forEach((code, count) -> byCode.put(code, count.sum()));
        System.out.printf("  errors (%s): %s%n", PHASE_NAMES[ofPhase], byCode.isEmpty() ? "none" : byCode);
    }

    private static void printLatency(String label, Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            System.out.printf("%s: no samples%n", label);
            return;
        }
        System.out.printf("%s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (%,d samples)%n", label,
                histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(90) / 1000.0,
                histogram.getValueAtPercentile(99) / 1000.0, histogram.getValueAtPercentile(99.9) / 1000.0,
                histogram.getMaxValue() / 1000.0, histogram.getTotalCount());
    }

    private static void deleteTree(java.nio.file.Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            System.out.println("could not delete " + dir + ": " + e);
        }
    }

    /** Closes the connections, both nodes and both Cassandra child JVMs (once; also from the shutdown hook). */
    private synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closedLoop = false;
        for (Pair pair : pairs) {
            for (RelayConnection connection : new RelayConnection[] {pair.sender, pair.recipient}) {
                try {
                    if (connection != null) {
                        connection.abort();
                    }
                } catch (RuntimeException e) {
                    // closing anyway
                }
            }
        }
        if (clusters != null) {
            System.out.println("stopping both clusters and their Cassandra nodes");
            clusters.close();
            for (FederatedClusters.Cluster cluster : clusters.all()) {
                deleteTree(cluster.cassandra().dataDir());
            }
        }
    }
}
