package org.securecomm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** What the envelope scenarios share: setting up pairs, progress lines, CPU and node counters. */
final class Scenarios {

    private Scenarios() {
    }

    /** Registers 2n accounts (one device each) on their own connections and pairs them up. */
    static int connectPairs(RelayBenchmark options, Accounts accounts, Traffic traffic, int n, ErrorCounter setupErrors) {
        List<Accounts.Connected> devices = Accounts.runAll("registering and connecting " + 2 * n + " devices", 2 * n,
                options.setupConcurrency, i -> accounts.registerConnected(i % 2 == 0 ? "s" : "r", i % 2 == 0 ? null : traffic::onPush),
                setupErrors);
        for (int i = 0; i + 1 < devices.size(); i += 2) {
            Accounts.Connected sender = devices.get(i);
            Accounts.Connected recipient = devices.get(i + 1);
            if (sender != null && recipient != null) {
                traffic.addPair(sender, recipient);
            }
        }
        if (traffic.pairs().size() < n) {
            System.out.println("  only " + traffic.pairs().size() + " of " + n + " pairs could be set up (errors: " + setupErrors.describe() + ")");
        }
        return traffic.pairs().size();
    }

    /** Prints a progress line every {@code seconds}: interval rates and push latency. */
    static ScheduledFuture<?> startProgress(ClientPool pool, Traffic traffic, ErrorCounter errors, int seconds, long startNanos) {
        Traffic.Counters[] last = {Traffic.Counters.of(traffic)};
        Histogram[] recycled = {null};
        return pool.scheduler().scheduleAtFixedRate(() -> {
            Traffic.Counters now = Traffic.Counters.of(traffic);
            double s = last[0].seconds(now);
            Histogram h = traffic.progress.getIntervalHistogram(recycled[0]);
            recycled[0] = h;
            System.out.printf(Locale.ROOT, "  [%5.0f s] sent %s, accepted %s, pushed %s, acked %s | push latency p50 %s p99 %s max %s"
                            + " | unacked %d, errors %d%n",
                    (now.nanos() - startNanos) / 1e9,
                    Report.rate((now.sent() - last[0].sent()) / s), Report.rate((now.accepted() - last[0].accepted()) / s),
                    Report.rate((now.pushed() - last[0].pushed()) / s), Report.rate((now.acked() - last[0].acked()) / s),
                    h.getTotalCount() == 0 ? "-" : Report.ms(h.getValueAtPercentile(50)),
                    h.getTotalCount() == 0 ? "-" : Report.ms(h.getValueAtPercentile(99)),
                    h.getTotalCount() == 0 ? "-" : Report.ms(h.getMaxValue()),
                    traffic.unacknowledged(), errors.total());
            last[0] = now;
        }, seconds, seconds, TimeUnit.SECONDS);
    }

    /** Node counters (from /metrics) per second between two scrapes. */
    static String nodeRates(Map<String, Double> before, Map<String, Double> after, double seconds) {
        if (before.isEmpty() || after.isEmpty()) {
            return "unavailable";
        }
        if (before.containsKey(NodeInfo.SCRAPED_AT) && after.containsKey(NodeInfo.SCRAPED_AT)) {
            seconds = (after.get(NodeInfo.SCRAPED_AT) - before.get(NodeInfo.SCRAPED_AT)) / 1e9;
        }
        StringBuilder text = new StringBuilder();
        for (String[] counter : new String[][] {
                {"securecomm_envelopes_enqueued_total", "enqueued"},
                {"securecomm_envelopes_pushed_total", "pushed"},
                {"securecomm_envelopes_acknowledged_total", "acknowledged"}}) {
            Double a = before.get(counter[0]);
            Double b = after.get(counter[0]);
            if (a != null && b != null) {
                text.append(text.length() == 0 ? "" : ", ").append(counter[1]).append(' ').append(Report.rate((b - a) / seconds));
            }
        }
        return text.length() == 0 ? "unavailable" : text.toString();
    }

    /** Thread CPU of the node and of Cassandra at one instant (empty when their pids are unknown). */
    record ThreadSample(long nanos, Map<String, Long> node, long nodeTicks, long nodeThreadsStarted,
                        Map<String, Long> cassandra, long cassandraTicks) {
        static ThreadSample of(NodeInfo info) {
            long nodePid = info.pid().orElse(-1L);
            long cassandraPid = info.cassandraPid().orElse(-1L);
            return new ThreadSample(System.nanoTime(),
                    nodePid > 0 ? ProcStats.threadTicks(nodePid) : Map.of(),
                    nodePid > 0 ? ProcStats.processTicks(nodePid) : -1,
                    nodePid > 0 ? ProcStats.perfCounter(nodePid, "java.threads.started").orElse(-1) : -1,
                    cassandraPid > 0 ? ProcStats.threadTicks(cassandraPid) : Map.of(),
                    cassandraPid > 0 ? ProcStats.processTicks(cassandraPid) : -1);
        }
    }

    /** Report lines: where the node's and Cassandra's CPU went, by thread group, and how many threads the node started. */
    static void reportThreads(Report report, ThreadSample before, ThreadSample after) {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        if (!after.node().isEmpty()) {
            report.line("node CPU by thread: %s", ProcStats.threadCpu(before.node(), after.node(), before.nodeTicks(), after.nodeTicks(), seconds, 8));
        }
        if (before.nodeThreadsStarted() >= 0 && after.nodeThreadsStarted() >= 0) {
            report.line("node threads started: %s (java.threads.started)",
                    Report.rate((after.nodeThreadsStarted() - before.nodeThreadsStarted()) / seconds));
        }
        if (!after.cassandra().isEmpty()) {
            report.line("Cassandra CPU by thread: %s", ProcStats.threadCpu(before.cassandra(), after.cassandra(), before.cassandraTicks(),
                    after.cassandraTicks(), seconds, 8));
        }
    }

    /** {@code top -b -n1} (first lines), to see what runs besides the benchmark. */
    static void printTop() {
        try {
            Process top = new ProcessBuilder("top", "-b", "-n1", "-w", "160").redirectErrorStream(true).start();
            String out = new String(top.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            top.waitFor(10, TimeUnit.SECONDS);
            String[] lines = out.split("\n");
            System.out.println("  top -b -n1 during the measurement:");
            for (int i = 0; i < Math.min(lines.length, 17); i++) {
                System.out.println("    | " + lines[i]);
            }
        } catch (IOException e) {
            System.out.println("  (top is not available: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleepSeconds(double seconds) {
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
