package org.securecomm.jmh;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark's fork per operation (benchmark thread, GC and JIT together), as the
 * secondary result {@code cpu.process}. On a machine shared with other work, wall-clock scores
 * include the time spent waiting for a core; this figure mostly does not.
 * Use: {@code -prof org.securecomm.jmh.ProcessCpuProfiler} (bin/securecomm-jmh adds it by default).
 */
public final class ProcessCpuProfiler implements InternalProfiler {

    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startCpuNanos;

    @Override
    public String getDescription() {
        return "CPU time of the fork per operation (all threads of the benchmark JVM)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startCpuNanos = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long cpuNanos = os.getProcessCpuTime() - startCpuNanos;
        // All operations of the iteration, those around the measured window too: the CPU covers them.
        long ops = result.getMetadata().getAllOps();
        return ops <= 0 ? List.of() : List.of(new ScalarResult("cpu.process", (double) cpuNanos / ops, "ns/op", AggregationPolicy.AVG));
    }
}
