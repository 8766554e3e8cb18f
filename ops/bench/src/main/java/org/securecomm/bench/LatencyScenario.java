package org.securecomm.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Scenario 2: a fixed offered load of R envelopes/s, open loop: the k-th envelope is due at
 * {@code start + k/R} and goes to pair {@code k mod P} whatever happened to earlier ones, and its
 * latency counts from that due time (so a stall of the relay, or of the load generator, shows up
 * in full instead of being hidden by sending less: no coordinated omission). End-to-end latency is
 * due time to push arrival at the recipient.
 */
final class LatencyScenario {

    private final RelayBenchmark options;
    private final NodeInfo node;

    LatencyScenario(RelayBenchmark options, NodeInfo node) {
        this.options = options;
        this.node = node;
    }

    /** Answers the p99 end-to-end latency in microseconds, or -1. */
    long run(Report report) {
        System.out.printf(Locale.ROOT, "%n== latency: %,d envelopes/s offered over %d pairs, %d-byte envelopes; %d s warm-up then %d s measured%n",
                options.rate, options.latencyPairs, options.envelopeBytes, options.latencyWarmupSeconds, options.latencyDurationSeconds);
        ErrorCounter setupErrors = new ErrorCounter();
        ErrorCounter errors = new ErrorCounter();
        try (ClientPool pool = new ClientPool(Math.max(1, Math.min(4, options.latencyPairs / 25 + 1)), options.ioThreads,
                Duration.ofSeconds(options.requestTimeoutSeconds))) {
            Accounts accounts = new Accounts(node.url(), pool, options);
            Traffic traffic = new Traffic(options.envelopeBytes, options.ackBatch, errors, pool.scheduler());
            int pairs = Scenarios.connectPairs(options, accounts, traffic, options.latencyPairs, setupErrors);
            if (pairs == 0) {
                report.section("latency: NOT RUN, no pair could be set up (" + setupErrors.describe() + ")");
                report.target("p99 < 100 ms at 2,000 envelopes/s", "not measured", null);
                return -1;
            }
            List<Traffic.Pair> pairList = traffic.pairs();
            long period = 1_000_000_000L / options.rate;
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            long windowFrom = start + TimeUnit.SECONDS.toNanos(options.latencyWarmupSeconds);
            long end = windowFrom + TimeUnit.SECONDS.toNanos(options.latencyDurationSeconds);
            traffic.recordWindow(windowFrom, end);
            ScheduledFuture<?> progress = Scenarios.startProgress(pool, traffic, errors, options.progressSeconds, start);

            long[] maxLag = {0};
            long[] scheduled = {0};
            Thread pacer = new Thread(() -> {
                for (long k = 0; ; k++) {
                    long due = start + (long) (k * (1e9 / options.rate));
                    if (due >= end) {
                        break;
                    }
                    long now = System.nanoTime();
                    while (now < due) {
                        LockSupport.parkNanos(due - now);
                        now = System.nanoTime();
                    }
                    if (due >= windowFrom) {
                        maxLag[0] = Math.max(maxLag[0], now - due);
                        scheduled[0]++;
                    }
                    traffic.send(pairList.get((int) (k % pairList.size())), due);
                }
            }, "bench-pacer");
            pacer.setPriority(Thread.MAX_PRIORITY);
            pacer.start();

            // Warm-up, then the measured window.
            sleepUntil(windowFrom);
            System.out.println("  -- warm-up done, measuring for " + options.latencyDurationSeconds + " s");
            long errorsBefore = errors.total();
            Map<String, Double> nodeBefore = node.scrape();
            ProcStats.CpuSample cpuBefore = ProcStats.sampleCpu(node.cpuProcesses());
            Scenarios.ThreadSample threadsBefore = Scenarios.ThreadSample.of(node);
            Traffic.Counters before = Traffic.Counters.of(traffic);
            if (options.top) {
                sleepUntil(windowFrom + (end - windowFrom) / 2);
                Scenarios.printTop();
            }
            sleepUntil(end);
            Traffic.Counters after = Traffic.Counters.of(traffic);
            ProcStats.CpuSample cpuAfter = ProcStats.sampleCpu(node.cpuProcesses());
            Scenarios.ThreadSample threadsAfter = Scenarios.ThreadSample.of(node);
            Map<String, Double> nodeAfter = node.scrape();
            try {
                pacer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long windowErrors = errors.total() - errorsBefore;
            System.out.println("  -- measured; waiting for the last envelopes (up to 30 s)...");
            long left = traffic.awaitDrained(30_000);
            progress.cancel(false);

            double seconds = before.seconds(after);
            Histogram latency = traffic.endToEnd.getIntervalHistogram();
            Histogram service = traffic.service.getIntervalHistogram();
            Histogram acceptance = traffic.acceptance.getIntervalHistogram();
            long measuredSent = scheduled[0];
            long delivered = latency.getTotalCount();
            double achieved = delivered / (double) options.latencyDurationSeconds;

            report.section(String.format(Locale.ROOT, "latency at a fixed load (%,d envelopes/s offered, open loop, %d pairs, %d s measured after %d s warm-up)",
                    options.rate, pairs, options.latencyDurationSeconds, options.latencyWarmupSeconds));
            report.line("send -> push (end to end): %s", Report.percentiles(latency));
            report.line("   same from the actual send time: %s", Report.percentiles(service));
            report.line("send -> accepted (persisted): %s", Report.percentiles(acceptance));
            report.line("achieved: %s envelopes of the window delivered (%d of %d scheduled; %d not delivered within 30 s after)",
                    Report.rate(achieved), delivered, measuredSent, measuredSent - delivered);
            report.line("rates seen in the window: sent %s, pushed %s, acked %s; load generator lag behind schedule max %s",
                    Report.rate((after.sent() - before.sent()) / seconds), Report.rate((after.pushed() - before.pushed()) / seconds),
                    Report.rate((after.acked() - before.acked()) / seconds), Report.ms(maxLag[0] / 1000));
            report.line("node counters: %s", Scenarios.nodeRates(nodeBefore, nodeAfter, seconds));
            report.line("CPU: %s", ProcStats.formatCpu(ProcStats.cpuPercent(cpuBefore, cpuAfter)));
            Scenarios.reportThreads(report, threadsBefore, threadsAfter);
            report.line("errors in the window: %d; whole scenario: %s; setup: %s", windowErrors, errors.describe(), setupErrors.describe());
            report.line("duplicates pushed: %d; sends that failed but were delivered anyway: %d; unacknowledged at the end: %d",
                    traffic.duplicates.sum(), traffic.deliveredDespiteFailure.sum(), left);
            long p99 = latency.getTotalCount() == 0 ? -1 : latency.getValueAtPercentile(99);
            boolean complete = measuredSent > 0 && delivered >= measuredSent * 0.999;
            String name = String.format(Locale.ROOT, "p99 < 100 ms at %,d envelopes/s", options.rate);
            report.target(name, p99 < 0 ? "no samples" : "p99 " + Report.ms(p99) + ", p50 " + Report.ms(latency.getValueAtPercentile(50))
                    + (complete ? "" : ", only " + delivered + "/" + measuredSent + " delivered"),
                    p99 < 0 ? Boolean.FALSE : p99 < 100_000 && complete);
            return p99;
        }
    }

    private static void sleepUntil(long nanos) {
        long now;
        while ((now = System.nanoTime()) < nanos) {
            LockSupport.parkNanos(Math.min(nanos - now, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }
}
