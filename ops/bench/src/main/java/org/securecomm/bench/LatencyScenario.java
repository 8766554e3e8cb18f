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
                report.target(MixRun.TARGET_LATENCY, "not measured", null);
                return -1;
            }
            List<Traffic.Pair> pairList = traffic.pairs();
            long t0 = System.nanoTime();
            ScheduledFuture<?> progress = Scenarios.startProgress(pool, traffic, errors, options.progressSeconds, t0);

            // Warm-up at the offered rate (a cold node may fall behind: JIT), then let any backlog
            // drain so that the measurement starts from empty queues, then the measured schedule.
            long warmupStart = t0 + TimeUnit.MILLISECONDS.toNanos(100);
            Pacer warmup = new Pacer(traffic, pairList, options.rate, warmupStart,
                    warmupStart + TimeUnit.SECONDS.toNanos(options.latencyWarmupSeconds), Long.MAX_VALUE);
            warmup.start();
            warmup.await();
            long backlog = traffic.unacknowledged();
            if (backlog > 0) {
                System.out.println("  -- warm-up done; " + backlog + " envelopes still queued, letting them drain (up to 120 s)");
            }
            long left0 = traffic.awaitDrained(120_000);
            if (left0 > 0) {
                System.out.println("  -- " + left0 + " envelopes still unacknowledged after 120 s: measuring anyway");
            }
            // Samples (jcmd costs a few hundred ms of CPU) are taken just before the window starts.
            long errorsBefore = errors.total();
            Map<String, Double> nodeBefore = node.scrape();
            Scenarios.ThreadSample threadsBefore = Scenarios.ThreadSample.of(node);
            ProcStats.CpuSample cpuBefore = ProcStats.sampleCpu(node.cpuProcesses());
            Traffic.Counters before = Traffic.Counters.of(traffic);
            long windowFrom = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            long end = windowFrom + TimeUnit.SECONDS.toNanos(options.latencyDurationSeconds);
            traffic.recordWindow(windowFrom, end);
            Pacer pacer = new Pacer(traffic, pairList, options.rate, windowFrom, end, windowFrom);
            pacer.start();
            System.out.println("  -- measuring for " + options.latencyDurationSeconds + " s");
            if (options.top) {
                sleepUntil(windowFrom + (end - windowFrom) / 2);
                Scenarios.printTop();
            }
            sleepUntil(end);
            Traffic.Counters after = Traffic.Counters.of(traffic);
            ProcStats.CpuSample cpuAfter = ProcStats.sampleCpu(node.cpuProcesses());
            pacer.await();
            Scenarios.ThreadSample threadsAfter = Scenarios.ThreadSample.of(node);
            Map<String, Double> nodeAfter = node.scrape();
            pacer.await();
            long windowErrors = errors.total() - errorsBefore;
            System.out.println("  -- measured; waiting for the last envelopes (up to 30 s)...");
            long left = traffic.awaitDrained(30_000);
            progress.cancel(false);

            double seconds = before.seconds(after);
            Histogram latency = traffic.endToEnd.getIntervalHistogram();
            Histogram service = traffic.service.getIntervalHistogram();
            Histogram acceptance = traffic.acceptance.getIntervalHistogram();
            long measuredSent = pacer.scheduled;
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
                    Report.rate((after.acked() - before.acked()) / seconds), Report.ms(pacer.maxLagNanos / 1000));
            report.line("node counters: %s", Scenarios.nodeRates(nodeBefore, nodeAfter, seconds));
            report.line("CPU: %s", ProcStats.formatCpu(ProcStats.cpuPercent(cpuBefore, cpuAfter)));
            Scenarios.reportThreads(report, threadsBefore, threadsAfter);
            report.line("errors in the window: %d; whole scenario: %s; setup: %s", windowErrors, errors.describe(), setupErrors.describe());
            report.line("duplicates pushed: %d; sends that failed but were delivered anyway: %d; unacknowledged at the end: %d",
                    traffic.duplicates.sum(), traffic.deliveredDespiteFailure.sum(), left);
            report.metric(new Report.Metric("latency", "securecomm", "envelopes delivered", achieved, "1/s", options.rate));
            report.latencyMetrics("latency", "securecomm", "send to push", latency, options.rate);
            report.latencyMetrics("latency", "securecomm", "send to accepted", acceptance, options.rate);
            report.metric(new Report.Metric("latency", "securecomm", "errors", windowErrors, "count", options.rate));
            long p99 = latency.getTotalCount() == 0 ? -1 : latency.getValueAtPercentile(99);
            boolean complete = measuredSent > 0 && delivered >= measuredSent * 0.999;
            // The target is at 5,000/s; at another rate the line says what was measured against the same bound.
            String name = options.rate == 5_000 ? MixRun.TARGET_LATENCY
                    : String.format(Locale.ROOT, "p99 < 50 ms at %,d envelopes/s", options.rate);
            report.target(name, p99 < 0 ? "no samples" : "p99 " + Report.ms(p99) + ", p50 " + Report.ms(latency.getValueAtPercentile(50))
                    + (complete ? "" : ", only " + delivered + "/" + measuredSent + " delivered"),
                    p99 < 0 ? Boolean.FALSE : p99 < 50_000 && complete);
            return p99;
        }
    }

    /**
     * Sends the k-th envelope at {@code start + k/rate} until {@code end}, round robin over the
     * pairs, on its own thread; counts what was due from {@code countFrom} and how late it ran.
     */
    private static final class Pacer extends Thread {
        private final Traffic traffic;
        private final List<Traffic.Pair> pairs;
        private final int rate;
        private final long start;
        private final long end;
        private final long countFrom;
        long scheduled;
        long maxLagNanos;

        Pacer(Traffic traffic, List<Traffic.Pair> pairs, int rate, long start, long end, long countFrom) {
            super("bench-pacer");
            this.traffic = traffic;
            this.pairs = pairs;
            this.rate = rate;
            this.start = start;
            this.end = end;
            this.countFrom = countFrom;
            setPriority(Thread.MAX_PRIORITY);
            setDaemon(true);
        }

        @Override
        public void run() {
            for (long k = 0; ; k++) {
                long due = start + (long) (k * (1e9 / rate));
                if (due >= end) {
                    return;
                }
                long now = System.nanoTime();
                while (now < due) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                if (due >= countFrom) {
                    maxLagNanos = Math.max(maxLagNanos, now - due);
                    scheduled++;
                }
                traffic.send(pairs.get((int) (k % pairs.size())), due);
            }
        }

        void await() {
            try {
                join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static void sleepUntil(long nanos) {
        long now;
        while ((now = System.nanoTime()) < nanos) {
            LockSupport.parkNanos(Math.min(nanos - now, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }
}
