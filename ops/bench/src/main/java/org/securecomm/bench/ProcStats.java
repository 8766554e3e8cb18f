package org.securecomm.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the operating system says about the processes of a run (Linux /proc), and the machine
 * facts printed with every result. Everything degrades to "unknown" off Linux.
 */
public final class ProcStats {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long CLOCK_TICKS = clockTicks();

    private ProcStats() {
    }

    // ------------------------------------------------------------------ CPU

    /** CPU time of some processes and of the whole machine at one instant. */
    public record CpuSample(long nanos, Map<String, Long> processTicks, long machineTicks, long machineIdleTicks) {
    }

    public static CpuSample sampleCpu(Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            if (pid != null) {
                ticks.put(name, processTicks(pid));
            }
        });
        long total = -1;
        long idle = -1;
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
            String[] f = cpu.trim().split("\\s+");
            total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new CpuSample(System.nanoTime(), ticks, total, idle);
    }

    /** user+system clock ticks of a process, -1 when unknown. */
    public static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU ticks of a process's threads grouped by name (Linux keeps the first 15 characters of a
     * Java thread's name; digits are folded, so "GC Thread#0" and "GC Thread#1" add up).
     */
    public static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> groups = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    groups.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended
                }
            });
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process ended
        }
        return groups;
    }

    /**
     * The busiest thread groups between two {@link #threadTicks} samples, "% of one core", and the
     * CPU of threads that ended between the samples (the process's total minus its live threads').
     */
    public static String threadCpu(Map<String, Long> before, Map<String, Long> after, long processTicksBefore, long processTicksAfter,
                            double seconds, int top) {
        List<Map.Entry<String, Double>> usage = new ArrayList<>();
        double attributed = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            double percent = Math.max(0, (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) CLOCK_TICKS / seconds * 100);
            attributed += percent;
            if (percent >= 0.5) {
                usage.add(Map.entry(e.getKey(), percent));
            }
        }
        usage.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Double> e : usage.subList(0, Math.min(top, usage.size()))) {
            text.append(text.length() == 0 ? "" : ", ").append('"').append(e.getKey()).append("\" ")
                    .append(String.format(Locale.ROOT, "%.0f%%", e.getValue()));
        }
        if (processTicksBefore >= 0 && processTicksAfter >= 0) {
            double total = (processTicksAfter - processTicksBefore) / (double) CLOCK_TICKS / seconds * 100;
            text.append(String.format(Locale.ROOT, "; threads that ended within the window %.0f%%", Math.max(0, total - attributed)));
        }
        return text.length() == 0 ? "-" : text.toString();
    }

    /**
     * Per process: the CPU it used between two samples in % of one core; plus "other" (the rest of
     * the machine's busy time) and "idle", both in % of one core too (the machine has
     * {@code cores * 100} %).
     */
    public static Map<String, Double> cpuPercent(CpuSample from, CpuSample to) {
        Map<String, Double> result = new LinkedHashMap<>();
        double seconds = (to.nanos() - from.nanos()) / 1e9;
        double sum = 0;
        for (Map.Entry<String, Long> e : to.processTicks().entrySet()) {
            Long before = from.processTicks().get(e.getKey());
            if (before == null || before < 0 || e.getValue() < 0) {
                continue;
            }
            double percent = (e.getValue() - before) / (double) CLOCK_TICKS / seconds * 100;
            result.put(e.getKey(), percent);
            sum += percent;
        }
        if (from.machineTicks() >= 0 && to.machineTicks() > from.machineTicks()) {
            int cores = Runtime.getRuntime().availableProcessors();
            double total = to.machineTicks() - from.machineTicks();
            double idle = (to.machineIdleTicks() - from.machineIdleTicks()) / total * 100 * cores;
            double busy = 100.0 * cores - idle;
            result.put("other processes", Math.max(0, busy - sum));
            result.put("idle", idle);
        }
        return result;
    }

    public static String formatCpu(Map<String, Double> percent) {
        StringBuilder text = new StringBuilder();
        percent.forEach((name, value) -> {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(name).append(' ').append(String.format(Locale.ROOT, "%.0f%%", value));
        });
        int cores = Runtime.getRuntime().availableProcessors();
        return text + " (% of one core; the machine has " + cores * 100 + "%)";
    }

    // ------------------------------------------------------------------ memory

    /** VmRSS of a process in KiB. */
    public static OptionalLong rssKib(long pid) {
        return statusField(pid, "VmRSS");
    }

    public static OptionalLong threads(long pid) {
        return statusField(pid, "Threads");
    }

    private static OptionalLong statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return OptionalLong.of(Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return OptionalLong.empty();
    }

    /**
     * The heap a JVM uses right after a full collection, in KiB: {@code jcmd PID GC.run} (twice,
     * so that objects freed by finalization/cleaners of the first are gone), then
     * {@code jcmd PID GC.heap_info}.
     */
    public static OptionalLong heapUsedAfterGcKib(long pid) {
        try {
            jcmd(pid, "GC.run");
            Thread.sleep(300);
            jcmd(pid, "GC.run");
            String info = jcmd(pid, "GC.heap_info");
            Matcher m = HEAP_USED.matcher(info);
            if (m.find()) {
                return OptionalLong.of(Long.parseLong(m.group(1)));
            }
            System.err.println("cannot read the heap of pid " + pid + " from jcmd GC.heap_info:\n" + info);
        } catch (IOException e) {
            System.err.println("jcmd failed for pid " + pid + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OptionalLong.empty();
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jdkJcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String executable = Files.isExecutable(jdkJcmd) ? jdkJcmd.toString() : "jcmd";
        Process process = new ProcessBuilder(executable, Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("jcmd " + command + " did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("jcmd " + command + " exited with " + process.exitValue() + ": " + text.strip());
        }
        return text;
    }

    /** A HotSpot performance counter of a JVM ({@code jcmd PID PerfCounter.print}), e.g. java.threads.started. */
    public static OptionalLong perfCounter(long pid, String name) {
        try {
            for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
                if (line.startsWith(name + "=")) {
                    return OptionalLong.of(Long.parseLong(line.substring(name.length() + 1).trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OptionalLong.empty();
    }

    /** One line of a class histogram: instances and bytes of a class. */
    public record ClassUsage(long instances, long bytes) {
    }

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** {@code jcmd PID GC.class_histogram} (live objects, after a full GC), by class name. */
    public static Map<String, ClassUsage> classHistogram(long pid) {
        Map<String, ClassUsage> result = new LinkedHashMap<>();
        try {
            for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
                Matcher m = HISTOGRAM_LINE.matcher(line);
                if (m.find()) {
                    result.merge(m.group(3), new ClassUsage(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
                            (a, b) -> new ClassUsage(a.instances() + b.instances(), a.bytes() + b.bytes()));
                }
            }
        } catch (IOException e) {
            System.err.println("jcmd GC.class_histogram failed for pid " + pid + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    /** The classes that grew most between two histograms, per {@code divisor} (e.g. per connection). */
    public static List<String> histogramGrowth(Map<String, ClassUsage> before, Map<String, ClassUsage> after, int divisor, int top) {
        record Growth(String name, long instances, long bytes) {
        }
        List<Growth> growth = new ArrayList<>();
        after.forEach((name, usage) -> {
            ClassUsage old = before.getOrDefault(name, new ClassUsage(0, 0));
            growth.add(new Growth(name, usage.instances() - old.instances(), usage.bytes() - old.bytes()));
        });
        growth.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        long total = growth.stream().mapToLong(Growth::bytes).sum();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%12s %12s %10s  %s", "bytes/each", "objects/each", "share", "class"));
        for (Growth g : growth.subList(0, Math.min(top, growth.size()))) {
            lines.add(String.format(Locale.ROOT, "%12.0f %12.1f %9.1f%%  %s", g.bytes() / (double) divisor, g.instances() / (double) divisor,
                    total == 0 ? 0 : 100.0 * g.bytes() / total, g.name()));
        }
        lines.add(String.format(Locale.ROOT, "%12.0f %12s %10s  %s", total / (double) divisor, "", "", "total"));
        return lines;
    }

    /** This JVM's heap after a full GC, in KiB. */
    public static long ownHeapUsedAfterGcKib() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
    }

    // ------------------------------------------------------------------ machine

    public static List<String> machineFacts() {
        List<String> facts = new ArrayList<>();
        facts.add("CPU: " + Runtime.getRuntime().availableProcessors() + " cores available to the JVM, "
                + cpuModel().orElse("model unknown"));
        facts.add("memory: " + meminfo("MemTotal").map(kib -> String.format(Locale.ROOT, "%.1f GiB total", kib / 1048576.0))
                .orElse("unknown") + ", " + meminfo("MemAvailable").map(kib -> String.format(Locale.ROOT, "%.1f GiB available", kib / 1048576.0))
                .orElse("?") + " at start");
        facts.add("OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + ")");
        facts.add("Java (load generator): " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        loadAverage().ifPresent(load -> facts.add("load average at start: " + load));
        return facts;
    }

    private static java.util.Optional<String> cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static java.util.Optional<Long> meminfo(String field) {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith(field + ":"))
                    .map(l -> Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0])).findFirst();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    public static java.util.Optional<String> loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return java.util.Optional.of(f[0] + " " + f[1] + " " + f[2]);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }

    public static String mib(long kib) {
        return String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }
}
