package org.securecomm.relay.cluster;

import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.support.ClusterNodeProcess;
import org.securecomm.relay.support.ReconnectingDevice;
import org.securecomm.relay.support.RelayClusterProcesses;
import org.securecomm.relay.support.SharedCassandra;

/**
 * The same closed-loop load against clusters of 1, 2 and 3 relay node processes on one
 * Cassandra: {@code --pairs} sender/recipient pairs spread over the nodes (every third recipient
 * with two devices), each sender one send at a time with its next send as soon as the relay
 * accepted the last. Per cluster size, after a warm-up: envelopes/s accepted and delivered
 * (first push of each envelope), send → push latency p50/p99 (HdrHistogram), and CPU (cores
 * used) and RSS of every relay, of Cassandra and of this JVM (the load generator). A program
 * that prints figures, not a test. Run from the repository root:
 *
 * <pre>
 * ./mvnw -o -q test-compile dependency:build-classpath -pl relay-node -am -Dmdep.outputFile=/tmp/cluster-bench.cp -Dmdep.includeScope=test
 * java -Xmx768m -cp relay-node/target/test-classes:relay-node/target/classes:$(cat /tmp/cluster-bench.cp) \
 *   org.securecomm.relay.cluster.ClusterThroughputBenchmark --nodes 1,2,3 --pairs 30 --size 256 --warmup 20 --duration 30
 * </pre>
 * Node logs and configs stay in target/cluster-throughput-N-* (of the working directory).
 */
public final class ClusterThroughputBenchmark {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ClusterThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(1, 2, 3);
        int pairs = 30;
        int size = 256;
        int warmup = 20;
        int duration = 30;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--nodes" -> sizes = java.util.Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
                case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--duration" -> duration = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("usage: ClusterThroughputBenchmark [--nodes 1,2,3] [--pairs N] [--size BYTES] [--warmup S] [--duration S]");
                    System.exit(2);
                }
            }
        }
        System.out.printf("ClusterThroughputBenchmark %s: nodes %s, %d pairs, %d-byte envelopes, warm-up %d s, measured %d s; %d cores%n",
                Instant.now(), sizes, pairs, size, warmup, duration, Runtime.getRuntime().availableProcessors());
        CassandraNode cassandra = SharedCassandra.get();
        List<String> results = new ArrayList<>();
        for (int nodes : sizes) {
            results.add(run(cassandra, nodes, pairs, size, warmup, duration));
        }
        System.out.println();
        results.forEach(System.out::println);
        cassandra.close();
    }

    private static String run(CassandraNode cassandra, int nodes, int pairs, int size, int warmup, int duration) throws Exception {
        System.out.printf("%n== %d node(s): starting (load average %.2f)%n", nodes, FailoverBenchmark.loadAverage());
        try (RelayClusterProcesses cluster = RelayClusterProcesses.start("throughput-" + nodes, nodes, cassandra,
                List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-Xss512k", "-XX:ReservedCodeCacheSize=64m", "-XX:MaxMetaspaceSize=128m"));
             Traffic traffic = Traffic.register(cluster.urls(), pairs, Duration.ZERO)) {
            traffic.awaitConnected(Duration.ofSeconds(60));
            Histogram latency = new ConcurrentHistogram(Duration.ofSeconds(60).toNanos(), 3);
            LongAdder delivered = new LongAdder();
            LongAdder accepted = new LongAdder();
            AtomicLong measuring = new AtomicLong(Long.MAX_VALUE); // nanoTime the measured window starts
            AtomicLong measuredEnd = new AtomicLong(Long.MAX_VALUE);
            for (ReconnectingDevice receiver : traffic.pairs().stream().flatMap(p -> p.receivers.stream()).toList()) {
                receiver.onEnvelope((device, envelope) -> {
                    long now = System.nanoTime();
                    String content = envelope.getContent().toStringUtf8();
                    long sentAt = Long.parseLong(content.substring(content.indexOf('@') + 1, content.indexOf('|')));
                    if (sentAt >= measuring.get() && now < measuredEnd.get() && device.pushCount(
                            org.securecomm.protocol.EnvelopeIds.fromBytes(envelope.getId())) == 1) {
                        delivered.increment();
                        latency.recordValue(Math.min(now - sentAt, latency.getHighestTrackableValue()));
                    }
                });
            }
            String padding = "x".repeat(Math.max(0, size - 40));
            AtomicLong errors = new AtomicLong();
            List<Thread> senders = new ArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            for (Traffic.Pair pair : traffic.pairs()) {
                Thread sender = new Thread(() -> {
                    long seq = 0;
                    while (running.get()) {
                        long start = System.nanoTime();
                        byte[] messageId = new byte[16];
                        RANDOM.nextBytes(messageId);
                        try {
                            pair.sender.send(pair.receivers.get(0).address, pair.deviceIds(), "t-" + pair.index + "-" + (++seq) + "@" + start + "|"
                                    + padding, messageId, Duration.ofSeconds(30));
                            if (start >= measuring.get() && System.nanoTime() < measuredEnd.get()) {
                                accepted.add(pair.receivers.size());
                            }
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                        }
                    }
                }, "sender-" + pair.index);
                sender.setDaemon(true);
                sender.start();
                senders.add(sender);
            }
            Thread.sleep(warmup * 1000L);
            List<ClusterNodeProcess> relays = cluster.nodes();
            double[] cpuBefore = relays.stream().mapToDouble(ClusterNodeProcess::cpuSeconds).toArray();
            double cassandraBefore = ClusterNodeProcess.cpuSecondsOf(cassandra.pid());
            double selfBefore = selfCpuSeconds();
            long start = System.nanoTime();
            measuring.set(start);
            measuredEnd.set(start + Duration.ofSeconds(duration).toNanos());
            Thread.sleep(duration * 1000L);
            double elapsed = (System.nanoTime() - start) / 1e9;
            StringBuilder cpu = new StringBuilder();
            for (int i = 0; i < relays.size(); i++) {
                cpu.append(String.format("relay %d %.2f cores %.0f MiB, ", relays.get(i).index, (relays.get(i).cpuSeconds() - cpuBefore[i]) / elapsed,
                        relays.get(i).rssMib()));
            }
            cpu.append(String.format("Cassandra %.2f cores %.0f MiB, load generator %.2f cores", (ClusterNodeProcess.cpuSecondsOf(cassandra.pid())
                    - cassandraBefore) / elapsed, ClusterNodeProcess.rssMibOf(cassandra.pid()), (selfCpuSeconds() - selfBefore) / elapsed));
            Thread.sleep(3_000); // late pushes of the window still count
            running.set(false);
            for (Thread sender : senders) {
                sender.join(60_000);
            }
            String line = String.format("%d node(s): %.0f envelopes/s accepted, %.0f/s delivered; send -> push p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
                            + " %d send errors; %s; load average %.2f", nodes, accepted.sum() / elapsed, delivered.sum() / elapsed,
                    latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6,
                    errors.get(), cpu, FailoverBenchmark.loadAverage());
            System.out.println(line);
            return line;
        }
    }

    private static double selfCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
}
