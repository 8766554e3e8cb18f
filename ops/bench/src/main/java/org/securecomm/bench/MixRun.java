package org.securecomm.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * The realistic mix against one node: set-up (with the connection storm), JIT warm-up, the steady
 * mix of every workload side by side, the load sweep, and the summary with the targets.
 */
final class MixRun {

    static final String TARGET_THROUGHPUT = "10,000 envelopes/s persisted, delivered and acknowledged";
    static final String TARGET_LATENCY = "p99 < 50 ms at 5,000 envelopes/s";
    private static final int TARGET_RATE = 10_000;
    private static final int LATENCY_RATE = 5_000;
    private static final long LATENCY_LIMIT_MICROS = 50_000;

    private final MixSettings settings;
    private final NodeInfo node;
    private final RelayBenchmark options;

    MixRun(MixSettings settings, NodeInfo node, RelayBenchmark options) {
        this.settings = settings;
        this.node = node;
        this.options = options;
    }

    /** Answers the exit status: 0, or 1 when a workload failed or an envelope went missing. */
    int run(Report report) {
        System.out.printf(Locale.ROOT, "%n== the mix: %s%n", settings.source());
        report.header("mix: " + settings.source());
        int connections = settings.storm().devices() + settings.messaging().routes() * 2
                + settings.fanout().routes() * (1 + settings.fanout().devices()) + (needsSweepPairs() ? settings.sweep().pairs() * 2 : 0)
                + settings.calls().map(CallWorkload.Settings::devices).orElse(0) + settings.signal().map(signal -> signal.pairs() * 2).orElse(0);
        int httpClients = Math.max(1, Math.min(8, (connections + options.connectionsPerHttpClient - 1) / options.connectionsPerHttpClient));
        ErrorCounter shared = new ErrorCounter();
        List<MixWorkload> workloads = new ArrayList<>(MixWorkloads.of(settings));
        List<String> failures = new ArrayList<>();
        try (ClientPool pool = new ClientPool(httpClients, options.ioThreads, Duration.ofSeconds(options.requestTimeoutSeconds));
             LoadSweep sweep = needsSweepPairs() ? new LoadSweep(settings) : null) {
            MixContext context = new MixContext(new Accounts(node.url(), pool, options), pool, node, shared, options.setupConcurrency);
            setUp(workloads, context, failures, report);
            if (sweep != null) {
                sweep.setUp(context);
            }
            boolean warmedUp = false;
            if (!settings.jitWarmup().isZero() && sweep != null) {
                sweep.warmUp(settings.jitWarmup().toMillis() / 1000.0, settings.jitWarmupRate());
                warmedUp = true;
            }
            if (!settings.steadyDuration().isZero() && !workloads.isEmpty()) {
                steady(workloads, failures, report, warmedUp);
            }
            if (sweep != null && settings.sweep().enabled()) {
                sweep.run(node);
            }
            for (MixWorkload workload : workloads) {
                reportSafely(workload, report, failures);
            }
            if (sweep != null) {
                sweep.report(report, warmedUp);
            }
            errorsByCode(report, shared, workloads, sweep);
            targets(report, workloads, sweep);
            if (!failures.isEmpty()) {
                report.section("FAILED: " + String.join("; ", failures));
            }
            return failures.isEmpty() && missing(report) == 0 ? 0 : 1;
        } finally {
            workloads.forEach(MixWorkload::close);
        }
    }

    /** The JIT warm-up and the sweep run on their own pairs; the warm-up alone needs them too. */
    private boolean needsSweepPairs() {
        return settings.sweep().enabled() || !settings.jitWarmup().isZero();
    }

    private static void setUp(List<MixWorkload> workloads, MixContext context, List<String> failures, Report report) {
        for (var it = workloads.iterator(); it.hasNext(); ) {
            MixWorkload workload = it.next();
            try {
                workload.setUp(context);
            } catch (Exception e) {
                System.err.println(workload.name() + ": set-up failed: " + e);
                failures.add(workload.name() + " set-up: " + e.getMessage());
                report.section(workload.name() + ": set-up FAILED: " + e.getMessage());
                workload.close();
                it.remove();
            }
        }
    }

    private void steady(List<MixWorkload> workloads, List<String> failures, Report report, boolean warmedUp) {
        long seconds = settings.steadyDuration().toSeconds();
        StringJoiner names = new StringJoiner(", ");
        workloads.forEach(w -> names.add(w.name()));
        System.out.printf(Locale.ROOT, "%n== steady mix for %d s: %s%s%n", seconds, names,
                warmedUp ? "" : " (no JIT warm-up: the first ~90 s run on a cold node)");
        ProcStats.CpuSample cpuBefore = ProcStats.sampleCpu(node.cpuProcesses());
        long start = System.nanoTime();
        for (MixWorkload workload : workloads) {
            workload.start();
        }
        long progressNanos = settings.progress().toNanos();
        long end = start + settings.steadyDuration().toNanos();
        while (System.nanoTime() < end) {
            Scenarios.sleepSeconds(Math.min(progressNanos, end - System.nanoTime()) / 1e9);
            StringJoiner line = new StringJoiner(" | ");
            for (MixWorkload workload : workloads) {
                line.add(workload.progress());
            }
            System.out.printf(Locale.ROOT, "  [%4.0f s] %s%n", (System.nanoTime() - start) / 1e9, line);
        }
        ProcStats.CpuSample cpuAfter = ProcStats.sampleCpu(node.cpuProcesses());
        System.out.println("  -- stopping; offline devices come back and drain their mailboxes...");
        for (MixWorkload workload : workloads) {
            try {
                workload.stop();
            } catch (RuntimeException e) {
                failures.add(workload.name() + " stop: " + e.getMessage());
            }
        }
        resources(report, ProcStats.cpuPercent(cpuBefore, cpuAfter), seconds, warmedUp);
    }

    /** CPU over the steady mix; memory and threads right after it (a full GC in each JVM first). */
    private void resources(Report report, Map<String, Double> cpu, long seconds, boolean warmedUp) {
        report.section(String.format(Locale.ROOT, "resources during the steady mix (%d s%s)", seconds,
                warmedUp ? ", after the JIT warm-up" : ", cold node: no JIT warm-up"));
        report.line("CPU: %s", ProcStats.formatCpu(cpu));
        cpu.forEach((process, percent) -> report.metric("resources", "securecomm", process + " CPU", percent, "% of one core"));
        long clientHeap = ProcStats.ownHeapUsedAfterGcKib();
        int clientThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        OptionalLong clientRss = ProcStats.rssKib(ProcessHandle.current().pid());
        report.line("load generator (this JVM): heap after GC %s, RSS %s, %d threads", ProcStats.mib(clientHeap), kib(clientRss), clientThreads);
        report.metric("resources", "securecomm", "load generator heap after GC", clientHeap, "KiB");
        report.metric("resources", "securecomm", "load generator threads", clientThreads, "count");
        if (node.pid().isPresent()) {
            long pid = node.pid().get();
            OptionalLong heap = ProcStats.heapUsedAfterGcKib(pid);
            OptionalLong rss = ProcStats.rssKib(pid);
            OptionalLong threads = ProcStats.threads(pid);
            report.line("relay node: heap after GC %s, RSS %s, %s threads", kib(heap), kib(rss),
                    threads.isPresent() ? Long.toString(threads.getAsLong()) : "?");
            heap.ifPresent(v -> report.metric("resources", "securecomm", "node heap after GC", v, "KiB"));
            rss.ifPresent(v -> report.metric("resources", "securecomm", "node RSS", v, "KiB"));
        } else {
            report.line("relay node: pid unknown (give --node-pid with --url): no heap, RSS or CPU figures");
        }
        node.cassandraPid().ifPresent(pid -> {
            OptionalLong rss = ProcStats.rssKib(pid);
            report.line("Cassandra: RSS %s", kib(rss));
            rss.ifPresent(v -> report.metric("resources", "securecomm", "Cassandra RSS", v, "KiB"));
        });
    }

    private static void reportSafely(MixWorkload workload, Report report, List<String> failures) {
        try {
            workload.report(report);
        } catch (RuntimeException e) {
            failures.add(workload.name() + " report: " + e);
            report.section(workload.name() + ": its report FAILED: " + e);
        }
    }

    private static void errorsByCode(Report report, ErrorCounter shared, List<MixWorkload> workloads, LoadSweep sweep) {
        ErrorCounter all = new ErrorCounter();
        List<ErrorCounter> counters = new ArrayList<>(List.of(shared));
        for (MixWorkload workload : workloads) {
            if (workload instanceof MessagingWorkload messaging) {
                counters.add(messaging.errors());
            } else if (workload instanceof IdleWorkload idle) {
                counters.add(idle.errors());
                counters.add(idle.stormErrors());
            }
        }
        if (sweep != null) {
            counters.add(sweep.errors());
        }
        counters.forEach(all::add);
        report.section("errors by code, all workloads: " + all.describe());
        all.snapshot().forEach((code, n) -> report.metric("errors", "securecomm", code, n, "count"));
        report.metric("errors", "securecomm", "total", all.total(), "count");
    }

    /** The two targets: from the sweep when it ran, else from the steady mix's messaging. */
    private static void targets(Report report, List<MixWorkload> workloads, LoadSweep sweep) {
        List<LoadSweep.Step> steps = sweep == null ? List.of() : sweep.steps();
        if (steps.isEmpty()) {
            double steady = report.metrics().stream()
                    .filter(m -> (m.scenario().equals("messaging") || m.scenario().equals("fanout")) && m.name().equals("envelopes acknowledged"))
                    .mapToDouble(Report.Metric::value).sum();
            report.target(TARGET_THROUGHPUT, steady > 0 ? Report.rate(steady) + " in the steady mix, at its offered rates (no sweep)"
                    : "not measured (no sweep)", steady > 0 && steady >= TARGET_RATE ? Boolean.TRUE : null);
            report.target(TARGET_LATENCY, "not measured (no sweep)", null);
            return;
        }
        LoadSweep.Step clean = steps.stream().filter(s -> s.failedShare() == 0)
                .max((a, b) -> Double.compare(a.achieved(), b.achieved())).orElse(null);
        LoadSweep.Step best = clean != null ? clean : steps.stream().max((a, b) -> Double.compare(a.achieved(), b.achieved())).orElseThrow();
        report.target(TARGET_THROUGHPUT, String.format(Locale.ROOT, "%s at %,d/s offered (%s)", Report.rate(best.achieved()), best.offered(),
                clean != null ? "best sweep step without failed sends" : "every sweep step had failed sends"),
                clean != null && best.achieved() >= TARGET_RATE * 0.99);
        LoadSweep.Step at5000 = steps.stream().filter(s -> s.offered() == LATENCY_RATE).findFirst().orElse(null);
        if (at5000 == null) {
            report.target(TARGET_LATENCY, "not measured (the sweep stopped before, or has no, 5,000/s step)", null);
        } else {
            long p99 = at5000.p99Micros();
            report.target(TARGET_LATENCY, p99 == Long.MAX_VALUE ? "no samples" : "p99 " + Report.ms(p99) + " (achieved "
                    + Report.rate(at5000.achieved()) + ")", p99 < LATENCY_LIMIT_MICROS && at5000.achieved() >= LATENCY_RATE * 0.99);
        }
    }

    /** Envelopes missing after the drains, from the metrics the workloads reported. */
    private static long missing(Report report) {
        return (long) report.metrics().stream().filter(m -> m.name().equals("envelopes missing")).mapToDouble(Report.Metric::value).sum();
    }

    private static String kib(OptionalLong kib) {
        return kib.isPresent() ? ProcStats.mib(kib.getAsLong()) : "?";
    }
}
