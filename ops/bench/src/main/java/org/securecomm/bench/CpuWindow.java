package org.securecomm.bench;

import java.util.Map;
import java.util.Set;

/**
 * CPU used by some processes over one phase of a comparison: the text line (every process, the rest
 * of the machine, idle) and the CPU seconds of the server's processes, which divided by the work done
 * gives CPU time per message: a figure the other engineers' load on this shared machine disturbs far
 * less than a rate.
 */
public final class CpuWindow {

    /** What a phase cost: the line for the report and the server processes' CPU seconds. */
    public record Usage(String text, double serverCpuSeconds, double seconds) {

        /** Server CPU microseconds per unit of work (message, connection), or 0 when nothing was done. */
        public double microsPer(long units) {
            return units <= 0 ? 0 : serverCpuSeconds * 1e6 / units;
        }
    }

    private final Map<String, Long> pids;
    private final Set<String> server;
    private final ProcStats.CpuSample from;

    private CpuWindow(Map<String, Long> pids, Set<String> server) {
        this.pids = pids;
        this.server = server;
        this.from = ProcStats.sampleCpu(pids);
    }

    /** Starts measuring {@code pids} (name to pid); the names in {@code server} are the system under test. */
    public static CpuWindow start(Map<String, Long> pids, Set<String> server) {
        return new CpuWindow(pids, server);
    }

    public Usage stop() {
        ProcStats.CpuSample to = ProcStats.sampleCpu(pids);
        Map<String, Double> percent = ProcStats.cpuPercent(from, to);
        double seconds = (to.nanos() - from.nanos()) / 1e9;
        double serverPercent = percent.entrySet().stream().filter(e -> server.contains(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
        return new Usage(ProcStats.formatCpu(percent), serverPercent / 100 * seconds, seconds);
    }
}
