package org.securecomm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * 1:1 traffic at offered rates stepping up (open loop), each step measured after a short warm-up:
 * achieved throughput and latency against offered load, until errors or the p99 explode. The same
 * pairs carry the JIT warm-up that comes before anything in the mix is measured.
 */
final class LoadSweep implements AutoCloseable {

    /** One measured step. {@code cpuMicrosPerEnvelope}: process name to CPU microseconds per acknowledged envelope. */
    record Step(int offered, double achieved, double pushed, double failedShare, Histogram endToEnd, Histogram accepting,
                Map<String, Double> cpuMicrosPerEnvelope, String stoppedBecause) {
        long p99Micros() {
            return endToEnd.getTotalCount() == 0 ? Long.MAX_VALUE : endToEnd.getValueAtPercentile(99);
        }
    }

    private final MixSettings.Sweep settings;
    private final ErrorCounter errors = new ErrorCounter();
    private final ErrorCounter setupErrors = new ErrorCounter();
    private final MessageFlow flow;
    private final long drainMillis;
    private final long progressMillis;
    private Pacer pacer;
    private final List<Step> steps = new ArrayList<>();
    private final List<Double> warmupRates = new ArrayList<>();

    LoadSweep(MixSettings settings) {
        this.settings = settings.sweep();
        this.flow = new MessageFlow("sweep", settings.envelopeSize(), settings.ackBatch(), settings.sendWindow(), errors);
        this.drainMillis = settings.drainTimeout().toMillis();
        this.progressMillis = settings.progress().toMillis();
    }

    void setUp(MixContext context) {
        if (flow.setUp(context.accounts(), settings.pairs(), 1, context.setupConcurrency(), setupErrors) == 0) {
            throw new IllegalStateException("sweep: no pair could be set up (" + setupErrors.describe() + ")");
        }
        pacer = new Pacer("bench-sweep-pacer", flow::sendNext);
        pacer.start();
    }

    /**
     * The JIT warm-up: {@code rate} offered for {@code seconds}, not measured, progress printed so the
     * climb is visible; then the backlog drains so that what follows starts from empty queues. A cold
     * node cannot take the rate at first: what it cannot take waits in the senders' outboxes
     * (send-window), and whatever is still queued when the warm-up ends is dropped, not sent.
     */
    void warmUp(double seconds, int rate) {
        System.out.printf(Locale.ROOT, "%n== JIT warm-up: %,d envelopes/s offered (1:1, %d pairs) for %.0f s, not measured: a fresh node"
                + " runs slowly until its JIT has compiled the hot paths (~90 s of load, docs/BENCHMARKS.md)%n", rate, flow.routes().size(), seconds);
        long start = System.nanoTime();
        pacer.rate(rate);
        MessageFlow.Counters last = flow.counters();
        while ((System.nanoTime() - start) / 1e9 < seconds) {
            Scenarios.sleepSeconds(Math.min(progressMillis / 1000.0, seconds - (System.nanoTime() - start) / 1e9));
            MessageFlow.Counters now = flow.counters();
            double acked = (now.acked() - last.acked()) / Math.max(1e-3, last.seconds(now));
            warmupRates.add(acked);
            Histogram h = flow.progress.getIntervalHistogram();
            System.out.printf(Locale.ROOT, "  [warm-up %4.0f s] offered %s, sent %s, acknowledged %s, push p99 %s, waiting in outboxes %,d,"
                            + " errors %d%n", (now.nanos() - start) / 1e9, Report.rate(rate),
                    Report.rate((now.sent() - last.sent()) / Math.max(1e-3, last.seconds(now))), Report.rate(acked),
                    h.getTotalCount() == 0 ? "-" : Report.ms(h.getValueAtPercentile(99)), flow.queued(), errors.total());
            last = now;
        }
        pacer.rate(0);
        flow.dropQueued();
        long left = flow.awaitDrained(drainMillis);
        System.out.println("  -- warm-up done" + (left > 0 ? "; " + left + " envelopes still undelivered after the drain" : ""));
    }

    /** Runs the steps; answers them (also kept for {@link #report}). */
    List<Step> run(NodeInfo node) {
        System.out.printf(Locale.ROOT, "%n== load sweep: %s envelopes/s offered (1:1, %d pairs), each %d s settling then %d s measured%n",
                settings.rates(), flow.routes().size(), settings.stepWarmup().toSeconds(), settings.stepDuration().toSeconds());
        double graceSeconds = Math.min(2.0, settings.stopP99().toMillis() / 1000.0);
        for (int rate : settings.rates()) {
            pacer.rate(rate);
            Scenarios.sleepSeconds(settings.stepWarmup().toMillis() / 1000.0);
            flow.endToEnd.reset();
            flow.accepting.reset();
            ProcStats.CpuSample cpuBefore = ProcStats.sampleCpu(node.cpuProcesses());
            MessageFlow.Counters before = flow.counters();
            flow.recordWindow(before.nanos(), Long.MAX_VALUE);
            Scenarios.sleepSeconds(settings.stepDuration().toMillis() / 1000.0);
            MessageFlow.Counters after = flow.counters();
            ProcStats.CpuSample cpuAfter = ProcStats.sampleCpu(node.cpuProcesses());
            flow.recordWindow(before.nanos(), after.nanos());
            Scenarios.sleepSeconds(graceSeconds); // the window's last envelopes are still on their way
            Step step = step(rate, before, after, ProcStats.cpuPercent(cpuBefore, cpuAfter));
            steps.add(step);
            System.out.printf(Locale.ROOT, "  [sweep %,6d/s] acknowledged %s, send -> push p50 %s p99 %s p99.9 %s, failed %.2f%%%s%n", rate,
                    Report.rate(step.achieved()), ms(step.endToEnd(), 50), ms(step.endToEnd(), 99), ms(step.endToEnd(), 99.9),
                    step.failedShare() * 100, step.stoppedBecause().isEmpty() ? "" : " -> stopping: " + step.stoppedBecause());
            if (!step.stoppedBecause().isEmpty()) {
                break;
            }
        }
        pacer.rate(0);
        long neverSent = flow.dropQueued();
        if (neverSent > 0) {
            System.out.println("  -- " + neverSent + " messages still in the senders' outboxes at the end of the sweep: dropped, never sent");
        }
        long left = flow.awaitDrained(drainMillis);
        if (left > 0) {
            System.out.println("  -- " + left + " sweep envelopes still undelivered after the drain");
        }
        return steps;
    }

    private Step step(int rate, MessageFlow.Counters before, MessageFlow.Counters after, Map<String, Double> cpuPercent) {
        double seconds = before.seconds(after);
        double achieved = (after.acked() - before.acked()) / seconds;
        long sent = after.sent() - before.sent();
        double failedShare = sent == 0 ? 0 : (after.sendFailed() - before.sendFailed()) / (double) sent;
        Histogram endToEnd = flow.endToEnd.getIntervalHistogram();
        Histogram accepting = flow.accepting.getIntervalHistogram();
        Map<String, Double> perEnvelope = new java.util.LinkedHashMap<>();
        cpuPercent.forEach((process, percent) -> {
            if (!process.equals("idle") && !process.equals("other processes") && achieved > 0) {
                perEnvelope.put(process, percent / 100 * 1e6 / achieved);
            }
        });
        String stop = "";
        if (endToEnd.getTotalCount() == 0 || endToEnd.getValueAtPercentile(99) > settings.stopP99().toNanos() / 1000) {
            stop = "p99 above " + settings.stopP99().toMillis() + " ms";
        } else if (failedShare > settings.stopErrorShare()) {
            stop = String.format(Locale.ROOT, "%.1f%% of the sends failed", failedShare * 100);
        } else if (achieved < rate * settings.stopAchievedShare()) {
            stop = String.format(Locale.ROOT, "only %.0f%% of the offered rate delivered", achieved / rate * 100);
        }
        return new Step(rate, achieved, (after.pushed() - before.pushed()) / seconds, failedShare, endToEnd, accepting, perEnvelope, stop);
    }

    private static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "-" : Report.ms(h.getValueAtPercentile(percentile));
    }

    /** The warm-up's climb, the step table and the books; metrics carry the offered load for the plot. */
    void report(Report report, boolean warmedUp) {
        if (!warmupRates.isEmpty()) {
            report.section("JIT warm-up (not measured)");
            report.line("acknowledged rate per progress interval: first %s, last %s, highest %s",
                    Report.rate(warmupRates.get(0)), Report.rate(warmupRates.get(warmupRates.size() - 1)),
                    Report.rate(warmupRates.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
        } else if (!warmedUp) {
            report.section("JIT warm-up: none (jit-warmup = 0s): the figures below include a cold node");
        }
        if (steps.isEmpty()) {
            return;
        }
        report.section(String.format(Locale.ROOT, "load sweep (1:1, %d pairs, open loop; each step %d s settling, %d s measured)",
                flow.routes().size(), settings.stepWarmup().toSeconds(), settings.stepDuration().toSeconds()));
        report.line("%9s %11s %9s %9s %9s %9s %8s  %s", "offered/s", "acked/s", "p50", "p90", "p99", "p99.9", "failed",
                "CPU per acknowledged envelope");
        for (Step s : steps) {
            StringBuilder cpu = new StringBuilder();
            s.cpuMicrosPerEnvelope().forEach((process, micros) -> cpu.append(cpu.length() == 0 ? "" : ", ")
                    .append(process).append(String.format(Locale.ROOT, " %.0f µs", micros)));
            report.line("%,9d %11s %9s %9s %9s %9s %7.2f%%  %s%s", s.offered(), Report.rate(s.achieved()), ms(s.endToEnd(), 50),
                    ms(s.endToEnd(), 90), ms(s.endToEnd(), 99), ms(s.endToEnd(), 99.9), s.failedShare() * 100, cpu,
                    s.stoppedBecause().isEmpty() ? "" : "  (stopped: " + s.stoppedBecause() + ")");
            String system = "securecomm";
            report.metric(new Report.Metric("sweep", system, "offered envelopes", s.offered(), "1/s", s.offered()));
            report.metric(new Report.Metric("sweep", system, "envelopes acknowledged", s.achieved(), "1/s", s.offered()));
            report.metric(new Report.Metric("sweep", system, "envelopes pushed", s.pushed(), "1/s", s.offered()));
            report.metric(new Report.Metric("sweep", system, "failed share", s.failedShare(), "ratio", s.offered()));
            report.latencyMetrics("sweep", system, "send to push", s.endToEnd(), s.offered());
            report.latencyMetrics("sweep", system, "send to accepted", s.accepting(), s.offered());
            s.cpuMicrosPerEnvelope().forEach((process, micros) ->
                    report.metric(new Report.Metric("sweep", system, process + " CPU per envelope", micros, "µs", s.offered())));
        }
        report.line("the latency counts from each envelope's due time (open loop: no coordinated omission)");
        FlowFigures.reportBooks(report, "sweep", flow, flow.missing());
        report.line("errors: %s; set-up: %s", errors.describe(), setupErrors.describe());
    }

    List<Step> steps() {
        return steps;
    }

    ErrorCounter errors() {
        return errors;
    }

    @Override
    public void close() {
        if (pacer != null) {
            pacer.shutdown();
        }
    }
}
