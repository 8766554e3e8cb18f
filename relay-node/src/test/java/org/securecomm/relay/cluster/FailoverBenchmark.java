package org.securecomm.relay.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.support.ClusterNodeProcess;
import org.securecomm.relay.support.ReconnectingDevice;
import org.securecomm.relay.support.RelayClusterProcesses;

/**
 * Failover time of a three-node cluster (separate node processes, one Cassandra) under steady
 * traffic: {@code --trials} times, {@code kill -9} of one node (in turn node 3, 2, 1; node 1 is
 * the first seed and usually the oldest member, holding the shard coordinator), measured from the
 * kill. A program that prints figures, not a test.
 *
 * <ul>
 *   <li>senders back: the first acknowledged send of a sender that was connected to the killed
 *   node (it reconnects to the next node and retries with the same message id);</li>
 *   <li>first resumed delivery: the first push after the kill at a recipient device whose Mailbox
 *   shard was on the killed node (read from the node's Pekko Management before the kill);</li>
 *   <li>full resumption: every such device has received a message that was sent after the kill;
 *   a trial that does not get there within {@code --cap} seconds counts as not resumed.</li>
 * </ul>
 * After each trial the killed node restarts on its ports and rejoins, and every device reconnects
 * (so a device left without pushes by one trial does not spoil the next). Run from the
 * repository root:
 *
 * <pre>
 * ./mvnw -o -q test-compile dependency:build-classpath -pl relay-node -am -Dmdep.outputFile=/tmp/cluster-bench.cp -Dmdep.includeScope=test
 * java -Xmx512m -cp relay-node/target/test-classes:relay-node/target/classes:$(cat /tmp/cluster-bench.cp) \
 *   org.securecomm.relay.cluster.FailoverBenchmark --trials 10 --pairs 10 --interval-ms 200 --cap 45
 * </pre>
 * Node logs and configs stay in target/cluster-failover-* (of the working directory).
 */
public final class FailoverBenchmark {

    private static final Pattern KEY = Pattern.compile("m-(\\d+)-(\\d+)");

    private FailoverBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int trials = 10;
        int pairs = 10;
        int intervalMs = 200;
        int cap = 45;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--trials" -> trials = Integer.parseInt(args[i + 1]);
                case "--pairs" -> pairs = Integer.parseInt(args[i + 1]);
                case "--interval-ms" -> intervalMs = Integer.parseInt(args[i + 1]);
                case "--cap" -> cap = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("usage: FailoverBenchmark [--trials N] [--pairs N] [--interval-ms MS] [--cap SECONDS]");
                    System.exit(2);
                }
            }
        }
        System.out.printf("FailoverBenchmark %s: %d trials, %d pairs, one send per %d ms per sender, cap %d s; %d cores, load %.2f%n",
                Instant.now(), trials, pairs, intervalMs, cap, Runtime.getRuntime().availableProcessors(), loadAverage());
        List<Double> sendersBack = new ArrayList<>();
        List<Double> firstDelivery = new ArrayList<>();
        List<Double> fullResumption = new ArrayList<>();
        int notResumed = 0;
        try (RelayClusterProcesses cluster = RelayClusterProcesses.start("failover", 3);
             Traffic traffic = Traffic.register(cluster.urls(), pairs, Duration.ofMillis(intervalMs))) {
            // Key "m-PAIR-SEQ" to the time each device first got it.
            Map<ReconnectingDevice, Map<String, Long>> firstSeen = new ConcurrentHashMap<>();
            for (Traffic.Pair pair : traffic.pairs()) {
                for (ReconnectingDevice receiver : pair.receivers) {
                    Map<String, Long> seen = new ConcurrentHashMap<>();
                    firstSeen.put(receiver, seen);
                    receiver.onEnvelope((device, envelope) -> seen.putIfAbsent(envelope.getContent().toStringUtf8(), System.nanoTime()));
                }
            }
            traffic.awaitConnected(Duration.ofSeconds(60));
            traffic.start();
            Thread.sleep(10_000);
            for (int trial = 1; trial <= trials; trial++) {
                ClusterNodeProcess victim = cluster.node(3 - (trial - 1) % 3);
                Set<String> victimShards = shardIds(victim.shardRegion("Mailbox"));
                List<ReconnectingDevice> affected = new ArrayList<>();
                Map<ReconnectingDevice, Integer> pairOf = new ConcurrentHashMap<>();
                for (Traffic.Pair pair : traffic.pairs()) {
                    for (ReconnectingDevice receiver : pair.receivers) {
                        if (victimShards.contains(shardOf(Mailbox.entityId(receiver.accountId, receiver.deviceId)))) {
                            affected.add(receiver);
                            pairOf.put(receiver, pair.index);
                        }
                    }
                }
                List<Traffic.Pair> sendersOnVictim = traffic.pairs().stream().filter(p -> p.sender.currentUrl().equals(victim.url())).toList();
                Map<Integer, Long> lastSeqBeforeKill = new ConcurrentHashMap<>();
                traffic.pairs().forEach(p -> lastSeqBeforeKill.put(p.index, (long) p.attempted.size()));
                Map<Integer, Integer> ackedBefore = new ConcurrentHashMap<>();
                sendersOnVictim.forEach(p -> ackedBefore.put(p.index, p.acknowledged.size()));

                long killed = System.nanoTime();
                victim.kill9();
                double back = Double.NaN;
                double first = Double.NaN;
                double full = Double.NaN;
                long end = killed + Duration.ofSeconds(cap).toNanos();
                while (System.nanoTime() < end && (Double.isNaN(full) || Double.isNaN(back))) {
                    Thread.sleep(50);
                    if (Double.isNaN(back) && sendersOnVictim.stream().anyMatch(p -> p.acknowledged.size() > ackedBefore.get(p.index))) {
                        back = seconds(killed, System.nanoTime());
                    }
                    long earliest = Long.MAX_VALUE;
                    long latestFirstNew = Long.MIN_VALUE;
                    boolean allNew = !affected.isEmpty();
                    for (ReconnectingDevice device : affected) {
                        long firstNew = Long.MAX_VALUE;
                        for (Map.Entry<String, Long> seen : firstSeen.get(device).entrySet()) {
                            if (seen.getValue() > killed) {
                                earliest = Math.min(earliest, seen.getValue());
                                Matcher m = KEY.matcher(seen.getKey());
                                if (m.matches() && Long.parseLong(m.group(2)) > lastSeqBeforeKill.get(pairOf.get(device))) {
                                    firstNew = Math.min(firstNew, seen.getValue());
                                }
                            }
                        }
                        if (firstNew == Long.MAX_VALUE) {
                            allNew = false;
                        } else {
                            latestFirstNew = Math.max(latestFirstNew, firstNew);
                        }
                    }
                    if (Double.isNaN(first) && earliest != Long.MAX_VALUE) {
                        first = seconds(killed, earliest);
                    }
                    if (allNew) {
                        full = seconds(killed, latestFirstNew);
                    }
                    if (sendersOnVictim.isEmpty()) {
                        back = 0;
                    }
                }
                System.out.printf("trial %2d: kill -9 node %d (%d Mailbox shards, %d recipient devices and %d senders affected): senders back %s,"
                                + " first resumed delivery %s, full resumption %s%n", trial, victim.index, victimShards.size(), affected.size(),
                        sendersOnVictim.size(), format(back), format(first), Double.isNaN(full) ? "not within " + cap + " s" : format(full));
                if (!Double.isNaN(back) && !sendersOnVictim.isEmpty()) {
                    sendersBack.add(back);
                }
                if (!Double.isNaN(first)) {
                    firstDelivery.add(first);
                }
                if (Double.isNaN(full)) {
                    notResumed++;
                } else {
                    fullResumption.add(full);
                }
                victim.start(RelayClusterProcesses.START_TIMEOUT);
                ClusterChecks.awaitMembersUp(cluster.node(victim.index == 1 ? 2 : 1), 3, Duration.ofSeconds(90));
                traffic.allDevices().forEach(ReconnectingDevice::dropConnection);
                traffic.awaitConnected(Duration.ofSeconds(60));
                Thread.sleep(5_000);
            }
            traffic.stop();
            boolean drained = traffic.drain(Duration.ofSeconds(60));
            System.out.println("after the trials: drained " + drained + "; " + traffic.verify());
        }
        System.out.println();
        System.out.println("senders back (first acknowledged send of a sender of the killed node): " + summary(sendersBack));
        System.out.println("first resumed delivery at an affected device: " + summary(firstDelivery));
        System.out.println("full resumption (every affected device got a message sent after the kill): " + summary(fullResumption)
                + (notResumed > 0 ? "; not resumed within " + cap + " s in " + notResumed + " of " + trials + " trials" : ""));
        System.out.printf("load average at the end %.2f%n", loadAverage());
    }

    /** Pekko's default: the absolute hash of the entity id modulo the number of shards (256 here). */
    static String shardOf(String entityId) {
        return Integer.toString(Math.abs(entityId.hashCode() % 256));
    }

    static Set<String> shardIds(String json) {
        Set<String> ids = new HashSet<>();
        Matcher m = Pattern.compile("\"shardId\":\"([^\"]+)\"").matcher(json);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }

    private static String format(double seconds) {
        return Double.isNaN(seconds) ? "-" : String.format("%.1f s", seconds);
    }

    private static String summary(List<Double> values) {
        if (values.isEmpty()) {
            return "no values";
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return String.format("n=%d p50 %.1f s, worst %.1f s", sorted.size(), sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1));
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
