package org.securecomm.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;

/**
 * A program (not a test) that runs one mix workload alone against a started dev node and prints
 * its summary, until the realistic mix runs them (docs: /work/notes/issue7-calls-figures.md).
 * <pre>
 *   java -cp ops/bench/target/test-classes:ops/bench/target/classes:'ops/bench/target/lib/*' org.securecomm.bench.WorkloadTrial \
 *       calls CONCURRENT PARTICIPANTS SETUPS_PER_S PACKET_RATE PAYLOAD_BYTES CALL_SECONDS RUN_SECONDS
 *   ... WorkloadTrial signal PAIRS MESSAGES_PER_S PLAINTEXT_BYTES RUN_SECONDS
 * </pre>
 */
public final class WorkloadTrial {

    /**
     * A dev node started with --port keeps the media forwarder on UDP 10000 and the admin API on
     * its fixed port: free ones instead, so it runs beside other nodes on the machine.
     */
    static final String FREE_PORTS = "-Dsecurecomm.media.port=0 -Dsecurecomm.admin.port=0";

    private WorkloadTrial() {
    }

    public static void main(String[] args) throws Exception {
        MixWorkload workload;
        int seconds;
        if (args.length == 8 && args[0].equals("calls")) {
            workload = new CallWorkload(new CallWorkload.Settings(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Duration.ofMillis(Math.round(Double.parseDouble(args[6]) * 1000))));
            seconds = Integer.parseInt(args[7]);
        } else if (args.length == 5 && args[0].equals("signal")) {
            workload = new SignalMessagingWorkload(new SignalMessagingWorkload.Settings(Integer.parseInt(args[1]), Double.parseDouble(args[2]),
                    Integer.parseInt(args[3])));
            seconds = Integer.parseInt(args[4]);
        } else {
            System.err.println("usage: WorkloadTrial calls CONCURRENT PARTICIPANTS SETUPS_PER_S PACKET_RATE PAYLOAD_BYTES CALL_SECONDS RUN_SECONDS"
                    + "\n       WorkloadTrial signal PAIRS MESSAGES_PER_S PLAINTEXT_BYTES RUN_SECONDS");
            System.exit(2);
            return;
        }
        CommandLine cl = RelayBenchmark.commandLine();
        cl.parseArgs("--node-java-opts", FREE_PORTS);
        RelayBenchmark options = cl.getCommand();
        Report report = new Report();
        try (NodeProcess node = NodeProcess.start(Path.of("bin/securecomm-relay").toAbsolutePath(), options.nodeJavaOpts(), false, 600);
             ClientPool pool = new ClientPool(2, 2, Duration.ofSeconds(30));
             MixWorkload running = workload) {
            Thread stopNode = new Thread(node::close, "stop-node");
            Runtime.getRuntime().addShutdownHook(stopNode); // Ctrl-C: no node left behind
            NodeInfo info = new NodeInfo(node.url(), Optional.of(node.nodePid()), node.cassandraPid());
            MixContext context = new MixContext(new Accounts(node.url(), pool, options), pool, info, new ErrorCounter(), 32);
            running.setUp(context);
            ProcStats.CpuSample cpu = ProcStats.sampleCpu(info.cpuProcesses());
            running.start();
            for (int elapsed = 0; elapsed < seconds; elapsed += 5) {
                Scenarios.sleepSeconds(Math.min(5, seconds - elapsed));
                System.out.printf("  [%3d s] %s%n", Math.min(elapsed + 5, seconds), running.progress());
            }
            ProcStats.CpuSample cpuEnd = ProcStats.sampleCpu(info.cpuProcesses());
            running.stop();
            running.report(report);
            Runtime.getRuntime().removeShutdownHook(stopNode);
            report.line("CPU during the run: %s; errors: %s", ProcStats.formatCpu(ProcStats.cpuPercent(cpu, cpuEnd)), context.errors().describe());
        }
        report.print();
    }
}
