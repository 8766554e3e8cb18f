package org.securecomm.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;

/**
 * Scenario 1: N sender/recipient pairs, every sender keeping up to {@code window} sends
 * outstanding (and pausing while more than {@code maxBacklog} of its envelopes are not yet
 * acknowledged, so mailboxes do not grow without bound); recipients acknowledge in batches.
 * Sustained throughput = envelopes acknowledged by their recipients per second over the
 * measurement window, i.e. enqueued, pushed and acknowledged.
 */
final class ThroughputScenario {

    private final RelayBenchmark options;
    private final NodeInfo node;
    private volatile boolean running;
    private Traffic traffic;

    ThroughputScenario(RelayBenchmark options, NodeInfo node) {
        this.options = options;
        this.node = node;
    }

    /** Answers the sustained rate (acknowledged envelopes per second). */
    double run(Report report) {
        System.out.printf(Locale.ROOT, "%n== throughput: %d pairs, %d-byte envelopes, window %d sends per sender, backlog cap %d,"
                        + " acks batched up to %d; %d s warm-up then %d s measured%n",
                options.pairs, options.envelopeBytes, options.window, options.maxBacklog, options.ackBatch, options.warmupSeconds,
                options.durationSeconds);
        ErrorCounter setupErrors = new ErrorCounter();
        ErrorCounter errors = new ErrorCounter();
        try (ClientPool pool = new ClientPool(Math.max(1, Math.min(4, options.pairs / 25 + 1)), options.ioThreads,
                Duration.ofSeconds(options.requestTimeoutSeconds))) {
            Accounts accounts = new Accounts(node.url(), pool, options);
            traffic = new Traffic(options.envelopeBytes, options.ackBatch, errors, pool.scheduler());
            int pairs = Scenarios.connectPairs(options, accounts, traffic, options.pairs, setupErrors);
            if (pairs == 0) {
                report.section("throughput: NOT RUN, no pair could be set up (" + setupErrors.describe() + ")");
                report.target(MixRun.TARGET_THROUGHPUT, "not measured", null);
                return 0;
            }
            traffic.recordWindow(Long.MAX_VALUE, Long.MAX_VALUE);
            traffic.onProgress(this::pump);
            long start = System.nanoTime();
            ScheduledFuture<?> progress = Scenarios.startProgress(pool, traffic, errors, options.progressSeconds, start);
            running = true;
            traffic.pairs().forEach(this::pump);

            Scenarios.sleepSeconds(options.warmupSeconds);
            long errorsBefore = errors.total();
            Map<String, Double> nodeBefore = node.scrape();
            Scenarios.ThreadSample threadsBefore = Scenarios.ThreadSample.of(node);
            ProcStats.CpuSample cpuBefore = ProcStats.sampleCpu(node.cpuProcesses());
            Traffic.Counters before = Traffic.Counters.of(traffic);
            traffic.recordWindow(before.nanos(), Long.MAX_VALUE);
            System.out.println("  -- warm-up done, measuring for " + options.durationSeconds + " s");
            if (options.top) {
                Scenarios.sleepSeconds(options.durationSeconds / 2.0);
                Scenarios.printTop();
                Scenarios.sleepSeconds(options.durationSeconds - options.durationSeconds / 2.0);
            } else {
                Scenarios.sleepSeconds(options.durationSeconds);
            }
            Traffic.Counters after = Traffic.Counters.of(traffic);
            traffic.recordWindow(before.nanos(), after.nanos());
            ProcStats.CpuSample cpuAfter = ProcStats.sampleCpu(node.cpuProcesses());
            Scenarios.ThreadSample threadsAfter = Scenarios.ThreadSample.of(node);
            Map<String, Double> nodeAfter = node.scrape();
            long windowErrors = errors.total() - errorsBefore;
            running = false;
            progress.cancel(false);
            System.out.println("  -- measured; letting the last envelopes arrive...");
            long left = traffic.awaitDrained(30_000);

            double seconds = before.seconds(after);
            double ackedRate = (after.acked() - before.acked()) / seconds;
            double acceptedRate = (after.accepted() - before.accepted()) / seconds;
            double pushedRate = (after.pushed() - before.pushed()) / seconds;
            double sentRate = (after.sent() - before.sent()) / seconds;
            long ackRequests = after.ackRequests() - before.ackRequests();
            Histogram latency = traffic.endToEnd.getIntervalHistogram();
            Histogram acceptance = traffic.acceptance.getIntervalHistogram();

            report.section(String.format(Locale.ROOT, "throughput (%d pairs, %d-byte envelopes, window %d, %d s measured after %d s warm-up)",
                    pairs, options.envelopeBytes, options.window, options.durationSeconds, options.warmupSeconds));
            report.line("sustained: %s envelopes delivered and acknowledged", Report.rate(ackedRate));
            report.line("sent %s, accepted (persisted) %s, pushed %s", Report.rate(sentRate), Report.rate(acceptedRate), Report.rate(pushedRate));
            report.line("acknowledgements: %s requests, %.1f envelopes per request on average", Report.rate(ackRequests / seconds),
                    ackRequests == 0 ? 0.0 : (after.acked() - before.acked()) / (double) ackRequests);
            report.line("send -> push latency at saturation: %s", Report.percentiles(latency));
            report.line("send -> accepted latency at saturation: %s", Report.percentiles(acceptance));
            report.line("node counters: %s", Scenarios.nodeRates(nodeBefore, nodeAfter, seconds));
            report.line("CPU: %s", ProcStats.formatCpu(ProcStats.cpuPercent(cpuBefore, cpuAfter)));
            Scenarios.reportThreads(report, threadsBefore, threadsAfter);
            report.line("errors in the window: %d; whole scenario: %s; setup: %s", windowErrors, errors.describe(), setupErrors.describe());
            report.line("duplicates pushed: %d; sends that failed but were delivered anyway: %d; not acknowledged 30 s after the senders stopped: %d",
                    traffic.duplicates.sum(), traffic.deliveredDespiteFailure.sum(), left);
            report.metric("throughput", "securecomm", "envelopes acknowledged", ackedRate, "1/s");
            report.metric("throughput", "securecomm", "envelopes accepted", acceptedRate, "1/s");
            report.metric("throughput", "securecomm", "envelopes pushed", pushedRate, "1/s");
            report.latencyMetrics("throughput", "securecomm", "send to push", latency, 0);
            report.latencyMetrics("throughput", "securecomm", "send to accepted", acceptance, 0);
            report.metric("throughput", "securecomm", "errors", windowErrors, "count");
            report.target(MixRun.TARGET_THROUGHPUT, Report.rate(ackedRate) + " acknowledged", ackedRate >= 10_000);
            return ackedRate;
        }
    }

    /** Sends for a pair while its window and backlog allow. */
    private void pump(Traffic.Pair pair) {
        if (!running || !pair.out.isOpen()) {
            return;
        }
        synchronized (pair) {
            if (System.nanoTime() < pair.pausedUntil) {
                return; // a timer wakes it up
            }
            while (running && pair.inFlight.get() < options.window && pair.unacknowledged() < options.maxBacklog) {
                traffic.send(pair, System.nanoTime());
            }
        }
    }
}
