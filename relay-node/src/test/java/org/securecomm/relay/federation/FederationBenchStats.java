package org.securecomm.relay.federation;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Machine facts and CPU accounting for {@link FederationBenchmark}: load average, this JVM's CPU
 * (both relay nodes and the load generator live in it), the Cassandra child JVMs' CPU, the whole
 * machine's busy time from /proc/stat (so other people's processes show), per-thread-group CPU of
 * this JVM, and counters scraped from a node's /metrics. Everything degrades to "unknown" off Linux.
 */
final class FederationBenchStats {

    private FederationBenchStats() {
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        return procField("/proc/cpuinfo", "model name");
    }

    static String memTotal() {
        return procField("/proc/meminfo", "MemTotal");
    }

    /** The value after the colon of the first line of {@code file} starting with {@code key}. */
    private static String procField(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** CPU times at one instant: this JVM, named other processes, the machine, and this JVM's thread groups. */
    record Sample(long wallNanos, long ownCpuNanos, Map<String, Long> processCpuNanos, long machineTicks, long machineIdleTicks,
                  Map<String, Long> threadGroupNanos) {
    }

    static Sample sample(Map<String, Long> pids) {
        long own = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        Map<String, Long> processes = new LinkedHashMap<>();
        pids.forEach((name, pid) -> processes.put(name, ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toNanos).orElse(-1L)));
        long total = -1;
        long idle = -1;
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+"); // cpu user nice system idle iowait ...
            total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new Sample(System.nanoTime(), own, processes, total, idle, threadGroups());
    }

    /** CPU nanos per thread group of this JVM (thread names with their numbers replaced by #). */
    private static Map<String, Long> threadGroups() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> groups = new HashMap<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                groups.merge(info.getThreadName().replaceAll("\\d+", "#"), cpu, Long::sum);
            }
        }
        return groups;
    }

    /** Prints CPU use between two samples, as % of one core (the machine has {@code cores} × 100 %). */
    static void printCpu(String indent, Sample from, Sample to, int cores) {
        double wall = (to.wallNanos() - from.wallNanos()) / 1e9;
        double own = (to.ownCpuNanos() - from.ownCpuNanos()) / 1e9;
        StringBuilder line = new StringBuilder(String.format("%sCPU, %% of one core (machine = %d %%): this JVM (2 relays + load) %.0f",
                indent, cores * 100, 100 * own / wall));
        double accounted = own;
        for (var entry : to.processCpuNanos().entrySet()) {
            long before = from.processCpuNanos().getOrDefault(entry.getKey(), -1L);
            if (before >= 0 && entry.getValue() >= 0) {
                double cpu = (entry.getValue() - before) / 1e9;
                accounted += cpu;
                line.append(String.format(", %s %.0f", entry.getKey(), 100 * cpu / wall));
            }
        }
        if (to.machineTicks() > 0 && from.machineTicks() > 0) {
            double ticks = to.machineTicks() - from.machineTicks();
            double busyShare = 1 - (to.machineIdleTicks() - from.machineIdleTicks()) / ticks;
            double busyCores = busyShare * cores;
            line.append(String.format(", other processes %.0f, idle %.0f", Math.max(0, 100 * (busyCores - accounted / wall)),
                    100 * (cores - busyCores)));
        }
        System.out.println(line);
        List<Map.Entry<String, Long>> groups = new ArrayList<>();
        to.threadGroupNanos().forEach((name, nanos) -> groups.add(Map.entry(name, nanos - from.threadGroupNanos().getOrDefault(name, 0L))));
        groups.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        double inThreads = groups.stream().mapToLong(Map.Entry::getValue).sum() / 1e9;
        StringBuilder top = new StringBuilder(String.format("%sthis JVM by thread group (%% of one core): not in a live Java thread"
                + " (JIT compilers, GC, exited threads) %.0f;", indent, 100 * Math.max(0, own - inThreads) / wall));
        for (int i = 0; i < Math.min(10, groups.size()); i++) {
            top.append(String.format(" %s %.0f;", groups.get(i).getKey(), 100 * groups.get(i).getValue() / 1e9 / wall));
        }
        System.out.println(top);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A node's Prometheus text, or "" when it cannot be read. */
    static String metrics(String clientUrl) {
        URI url = URI.create(clientUrl.replace("ws://", "http://").replace("wss://", "https://").replace("/v1/websocket", "/metrics"));
        try {
            return HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return "";
        }
    }

    /** Sum of the samples of {@code name} (exactly, before its labels) whose label text contains every one of {@code labels}. */
    static double metric(String text, String name, String... labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= line.contains(label);
            }
            if (all) {
                try {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                } catch (NumberFormatException e) {
                    // NaN or garbage: skip
                }
            }
        }
        return sum;
    }
}
