package org.securecomm.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The relay benchmark: a load generator speaking the client protocol over real WebSockets to a
 * relay node (one it starts in dev mode, or a running one). By default the realistic mix of a
 * scenario file ({@link MixRun}); the focused scenarios (sustained throughput, latency at a fixed
 * offered load, idle connections, the forwarder) by {@code --scenario}. See docs/BENCHMARKS.md.
 */
@Command(name = "securecomm-bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        version = "securecomm-bench 0.1.0-SNAPSHOT",
        description = {
                "Benchmarks a SecureComm relay node over real WebSockets. By default the realistic mix of a scenario",
                "file (connection storm, idle devices with heartbeats, 1:1 messaging with offline recipients,",
                "multi-device fan-out, calls with media, real libsignal traffic, JIT warm-up, load sweep;",
                "ops/bench/scenarios/default.conf documents every key);",
                "--scenario runs one focused scenario instead: sustained envelope throughput, end-to-end latency at a",
                "fixed offered load (open loop, HdrHistogram), idle connections (node heap per connected device), or",
                "the media forwarder. Starts a dev node (with its Cassandra) unless --url is given.",
                ""},
        footer = {"",
                "A node given with --url must accept the test identifiers and have raised per-connection limits:",
                "  SECURECOMM_JAVA_OPTS=\"-Xms64m -Xmx1g -Dsecurecomm.verification.test-identifier-prefix=+1555000",
                "  -Dsecurecomm.verification.test-code=424242 -Dsecurecomm.limits.envelopes-per-second=100000 ...\"",
                "(the full list is printed by --start-node runs and in docs/BENCHMARKS.md)."})
public final class RelayBenchmark implements Callable<Integer> {

    /**
     * {@code mix}: the realistic mix of a scenario file; {@code all}: the three focused node scenarios;
     * {@code forwarder} runs on its own (in process, no node).
     */
    enum Scenario { mix, throughput, latency, idle, forwarder, all }

    @Spec
    CommandSpec spec;

    // ------------------------------------------------------------------ the node
    @Option(names = "--url", paramLabel = "URL", description = "ws:// or wss:// URL of a running node's client WebSocket")
    URI url;

    @Option(names = "--start-node", description = "start a dev node as a child process (the default when --url is not given)")
    boolean startNode;

    @Option(names = "--scenario", defaultValue = "mix", paramLabel = "NAME",
            description = "mix (the realistic mix of --scenario-file), throughput, latency, idle, all (these three) or forwarder"
                    + " (the media forwarder in this process, no node) (default: ${DEFAULT-VALUE})")
    Scenario scenario;

    // ------------------------------------------------------------------ the mix
    @Option(names = "--scenario-file", paramLabel = "FILE",
            description = "mix: a HOCON scenario file; keys it leaves out keep the values of ops/bench/scenarios/default.conf"
                    + " (the default scenario), which documents every key")
    Path scenarioFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "mix: overrides one key of the scenario (repeatable), e.g. --set steady.duration=30s --set sweep.rates=[2000,5000]")
    Map<String, String> overrides = new LinkedHashMap<>();

    // ------------------------------------------------------------------ output
    @Option(names = "--json", paramLabel = "FILE", description = "also write every figure (and the targets) as JSON")
    Path jsonFile;

    @Option(names = "--csv", paramLabel = "FILE", description = "also write every figure as CSV (scenario,system,name,value,unit,offered_load)")
    Path csvFile;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "mix: also draw latency (p50, p99) and achieved throughput against the sweep's offered load as a PNG")
    Path plotFile;

    @Option(names = "--relay-launcher", paramLabel = "PATH", description = "bin/securecomm-relay (default: found from the install dir)")
    Path relayLauncher;

    @Option(names = "--node-heap", defaultValue = "1g", paramLabel = "SIZE", description = "-Xmx of a started node (default: ${DEFAULT-VALUE})")
    String nodeHeap;

    @Option(names = "--password-hash-memory-kib", defaultValue = "1024", paramLabel = "KIB",
            description = "Argon2id memory of a started node, to register thousands of devices quickly; 0 keeps the node's"
                    + " default (19456). Only registration and authentication pay it (default: ${DEFAULT-VALUE})")
    int passwordHashMemoryKib;

    @Option(names = "--node-java-opts", defaultValue = "", paramLabel = "OPTS", description = "more JVM options for a started node")
    String extraNodeJavaOpts;

    @Option(names = "--node-pid", paramLabel = "PID", description = "with --url: pid of the node's JVM on this machine (heap, RSS, CPU)")
    Long nodePid;

    @Option(names = "--keep-data", description = "keep a started node's data directory and log")
    boolean keepData;

    @Option(names = "--node-log", paramLabel = "FILE", description = "copy a started node's log here when it stops")
    Path nodeLog;

    @Option(names = "--identifier-prefix", defaultValue = "+1555000", paramLabel = "PREFIX",
            description = "the node's test identifier prefix (default: ${DEFAULT-VALUE})")
    String identifierPrefix;

    @Option(names = "--test-code", defaultValue = "424242", paramLabel = "CODE", description = "the node's test code (default: ${DEFAULT-VALUE})")
    String testCode;

    // ------------------------------------------------------------------ throughput
    @Option(names = "--pairs", paramLabel = "N", defaultValue = "50", description = "throughput: sender/recipient device pairs (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--size", defaultValue = "256", paramLabel = "BYTES", description = "envelope content size (default: ${DEFAULT-VALUE})")
    int envelopeBytes;

    @Option(names = "--window", paramLabel = "N", defaultValue = "16", description = "throughput: outstanding sends per sender (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--max-backlog", paramLabel = "N", defaultValue = "512",
            description = "throughput: a sender pauses while this many of its envelopes are unacknowledged (default: ${DEFAULT-VALUE})")
    int maxBacklog;

    @Option(names = "--ack-batch", paramLabel = "N", defaultValue = "100", description = "most envelope ids per acknowledgement (default: ${DEFAULT-VALUE})")
    int ackBatch;

    @Option(names = "--warmup", defaultValue = "90", paramLabel = "SECONDS", description = "throughput warm-up (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--duration", defaultValue = "30", paramLabel = "SECONDS",
            description = "throughput and forwarder measurement (default: ${DEFAULT-VALUE})")
    int durationSeconds;

    // ------------------------------------------------------------------ latency
    @Option(names = "--rate", paramLabel = "N", defaultValue = "2000", description = "latency: offered envelopes per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--latency-pairs", paramLabel = "N", defaultValue = "50", description = "latency: device pairs (default: ${DEFAULT-VALUE})")
    int latencyPairs;

    @Option(names = "--latency-warmup", defaultValue = "45", paramLabel = "SECONDS", description = "(default: ${DEFAULT-VALUE})")
    int latencyWarmupSeconds;

    @Option(names = "--latency-duration", defaultValue = "30", paramLabel = "SECONDS", description = "(default: ${DEFAULT-VALUE})")
    int latencyDurationSeconds;

    // ------------------------------------------------------------------ idle
    @Option(names = "--connections", paramLabel = "N", defaultValue = "10000", description = "idle: devices to connect (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--devices-per-account", paramLabel = "N", defaultValue = "6", description = "idle: 1 to 6 (default: ${DEFAULT-VALUE})")
    int devicesPerAccount;

    @Option(names = "--idle", defaultValue = "30", paramLabel = "SECONDS", description = "idle: how long they stay idle (default: ${DEFAULT-VALUE})")
    int idleSeconds;

    @Option(names = "--connections-per-http-client", defaultValue = "2500", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
    int connectionsPerHttpClient;

    @Option(names = "--connect-concurrency", defaultValue = "64", paramLabel = "N", description = "idle: connects in flight (default: ${DEFAULT-VALUE})")
    int connectConcurrency;

    // ------------------------------------------------------------------ forwarder
    @Mixin
    MediaStreamOptions media = new MediaStreamOptions();

    // ------------------------------------------------------------------ general
    @Option(names = "--setup-concurrency", defaultValue = "32", paramLabel = "N", description = "registrations in flight (default: ${DEFAULT-VALUE})")
    int setupConcurrency;

    @Option(names = "--io-threads", defaultValue = "2", paramLabel = "N", description = "load generator listener threads (default: ${DEFAULT-VALUE})")
    int ioThreads;

    @Option(names = "--request-timeout", defaultValue = "30", paramLabel = "SECONDS", description = "(default: ${DEFAULT-VALUE})")
    int requestTimeoutSeconds;

    @Option(names = "--progress", defaultValue = "5", paramLabel = "SECONDS", description = "progress line interval (default: ${DEFAULT-VALUE})")
    int progressSeconds;

    @Option(names = "--pause", defaultValue = "5", paramLabel = "SECONDS", description = "pause between scenarios (default: ${DEFAULT-VALUE})")
    int pauseSeconds;

    @Option(names = "--histograms", description = "idle: print which classes the node's (and this program's) heap grew by,"
            + " per connection (jcmd GC.class_histogram)")
    boolean histograms;

    @Option(names = "--top", description = "print `top -b -n1` in the middle of each measurement")
    boolean top;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new RelayBenchmark()).setCaseInsensitiveEnumValuesAllowed(true)
                .addSubcommand(new CoturnCommand())
                .addSubcommand(new EjabberdCommand());
    }

    /** Checks the combination of options; throws picocli's ParameterException with a message for the user. */
    void validate() {
        CommandLine cl = spec.commandLine();
        if (url != null && startNode) {
            throw new ParameterException(cl, "give either --url or --start-node, not both");
        }
        if (url != null && !("ws".equals(url.getScheme()) || "wss".equals(url.getScheme()))) {
            throw new ParameterException(cl, "--url must be a ws:// or wss:// URL, not " + url);
        }
        if (url == null && nodePid != null) {
            throw new ParameterException(cl, "--node-pid only goes with --url");
        }
        if ((scenarioFile != null || !overrides.isEmpty()) && scenario != Scenario.mix) {
            throw new ParameterException(cl, "--scenario-file and --set go with the mix (--scenario mix, the default)");
        }
        if (plotFile != null && scenario != Scenario.mix) {
            throw new ParameterException(cl, "--plot draws the mix's load sweep: it goes with --scenario mix (the default)");
        }
        if (envelopeBytes < Traffic.HEADER_BYTES) {
            throw new ParameterException(cl, "--size must be at least " + Traffic.HEADER_BYTES + " bytes (the benchmark's header)");
        }
        positive(cl, "--pairs", pairs);
        positive(cl, "--window", window);
        positive(cl, "--max-backlog", maxBacklog);
        positive(cl, "--ack-batch", ackBatch);
        positive(cl, "--duration", durationSeconds);
        positive(cl, "--rate", rate);
        positive(cl, "--latency-pairs", latencyPairs);
        positive(cl, "--latency-duration", latencyDurationSeconds);
        positive(cl, "--connections", connections);
        positive(cl, "--connections-per-http-client", connectionsPerHttpClient);
        positive(cl, "--connect-concurrency", connectConcurrency);
        positive(cl, "--setup-concurrency", setupConcurrency);
        positive(cl, "--io-threads", ioThreads);
        positive(cl, "--request-timeout", requestTimeoutSeconds);
        positive(cl, "--progress", progressSeconds);
        if (warmupSeconds < 0 || latencyWarmupSeconds < 0 || idleSeconds < 0 || pauseSeconds < 0) {
            throw new ParameterException(cl, "warm-up, idle and pause times cannot be negative");
        }
        if (scenario == Scenario.forwarder) {
            String problem = media.shape(media.packetRate, durationSeconds, progressSeconds).problem();
            if (problem != null || media.forwarderThreads < 1) {
                throw new ParameterException(cl, problem != null ? problem : "--forwarder-threads must be positive");
            }
            if (url != null || startNode) {
                throw new ParameterException(cl, "--scenario forwarder runs the forwarder in this process: no --url or --start-node");
            }
        }
        if (devicesPerAccount < 1 || devicesPerAccount > 6) {
            throw new ParameterException(cl, "--devices-per-account must be 1 to 6 (the relay's default device limit)");
        }
        if (passwordHashMemoryKib != 0 && passwordHashMemoryKib < 8) {
            throw new ParameterException(cl, "--password-hash-memory-kib must be 0 (node default) or at least 8");
        }
        if (!nodeHeap.matches("[1-9][0-9]*[kKmMgG]?")) {
            throw new ParameterException(cl, "--node-heap must look like 512m or 1g");
        }
    }

    private static void positive(CommandLine cl, String name, int value) {
        if (value <= 0) {
            throw new ParameterException(cl, name + " must be positive");
        }
    }

    /** SECURECOMM_JAVA_OPTS of a started node. */
    String nodeJavaOpts() {
        StringBuilder opts = new StringBuilder("-Xms64m -Xmx").append(nodeHeap)
                .append(" -Dsecurecomm.verification.test-identifier-prefix=").append(identifierPrefix)
                .append(" -Dsecurecomm.verification.test-code=").append(testCode)
                // free media and admin ports: other nodes on this machine hold the fixed ones
                .append(" -Dsecurecomm.media.port=0 -Dsecurecomm.admin.port=0");
        for (String limit : List.of("envelopes-per-second", "envelope-burst", "requests-per-second", "request-burst",
                "authentication-attempts-per-minute", "authentication-attempt-burst")) {
            opts.append(" -Dsecurecomm.limits.").append(limit).append("=100000");
        }
        if (passwordHashMemoryKib > 0) {
            opts.append(" -Dsecurecomm.accounts.password-hash.memory-kib=").append(passwordHashMemoryKib);
        }
        if (!extraNodeJavaOpts.isBlank()) {
            opts.append(' ').append(extraNodeJavaOpts.strip());
        }
        return opts.toString();
    }

    Path launcher() {
        if (relayLauncher != null) {
            return relayLauncher;
        }
        String home = System.getProperty("securecomm.home");
        return (home != null ? Path.of(home) : Path.of("")).toAbsolutePath().resolve("bin").resolve("securecomm-relay");
    }

    boolean runs(Scenario s) {
        return scenario == s || (scenario == Scenario.all && s != Scenario.forwarder && s != Scenario.mix);
    }

    /** The mix's scenario: the file (or the default one) with the --set overrides; a bad value is a usage error. */
    MixSettings mixSettings() {
        try {
            return MixSettings.load(scenarioFile, overrides);
        } catch (MixSettings.InvalidScenarioException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** --json, --csv and --plot, after the summary. */
    void writeOutputs(Report report) throws java.io.IOException {
        if (jsonFile != null) {
            report.writeJson(jsonFile);
            System.out.println("figures written to " + jsonFile);
        }
        if (csvFile != null) {
            report.writeCsv(csvFile);
            System.out.println("figures written to " + csvFile);
        }
        if (plotFile != null) {
            try {
                LoadPlot.write(report.metrics(), plotFile);
                System.out.println("latency-against-load plot written to " + plotFile);
            } catch (java.io.IOException e) {
                System.err.println("no plot written to " + plotFile + ": " + e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        MixSettings mix = scenario == Scenario.mix ? mixSettings() : null; // checked before a node starts
        Report report = new Report();
        System.out.println("SecureComm relay benchmark");
        for (String fact : ProcStats.machineFacts()) {
            System.out.println("  " + fact);
            report.header(fact);
        }
        if (scenario == Scenario.forwarder) {
            report.header("forwarder and load generator in this one JVM, on this machine");
            new ForwarderScenario(this).run(report);
            report.print();
            writeOutputs(report);
            return 0;
        }
        AtomicReference<NodeProcess> started = new AtomicReference<>();
        Thread hook = new Thread(() -> {
            NodeProcess node = started.get();
            if (node != null) {
                System.out.println("interrupted: stopping the relay node");
                node.close();
            }
        }, "bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            NodeInfo node;
            if (url == null) {
                NodeProcess process = NodeProcess.start(launcher(), nodeJavaOpts(), keepData, 900);
                started.set(process);
                if (nodeLog != null) {
                    process.copyLogTo(nodeLog.toAbsolutePath());
                }
                node = new NodeInfo(process.url(), Optional.of(process.nodePid()), process.cassandraPid());
                report.header("node: started by the benchmark (dev mode, its own Cassandra child), SECURECOMM_JAVA_OPTS=" + nodeJavaOpts());
                report.header("node JVM: " + ProcessHandle.of(process.nodePid()).flatMap(p -> p.info().command()).orElse("?")
                        + (passwordHashMemoryKib > 0 ? String.format(Locale.ROOT,
                        "; Argon2id memory lowered to %d KiB for bulk registration (default 19456)", passwordHashMemoryKib) : ""));
            } else {
                Optional<Long> pid = nodePid != null ? Optional.of(nodePid) : NodeProcess.findLocalNodePid();
                node = new NodeInfo(url, pid, pid.flatMap(NodeProcess::findCassandraChild));
                report.header("node: " + url + (pid.isPresent() ? " (pid " + pid.get() + ")" : " (pid unknown: no heap, RSS or CPU figures)"));
            }
            report.header("node, Cassandra and load generator all run on this machine" + (url == null ? "" : " (if the node is local)"));

            int status = 0;
            if (mix != null) {
                try {
                    status = new MixRun(mix, node, this).run(report);
                } catch (RuntimeException e) {
                    System.err.println("the mix failed: " + e);
                    e.printStackTrace();
                    report.section("mix: FAILED: " + e);
                    status = 1;
                }
                if (started.get() != null && !started.get().isAlive()) {
                    report.section("the relay node died during the mix; last lines of its log:");
                    started.get().lastLines().forEach(line -> report.line("%s", line));
                    status = 1;
                }
            }
            boolean first = true;
            for (Scenario s : List.of(Scenario.throughput, Scenario.latency, Scenario.idle)) {
                if (!runs(s)) {
                    continue;
                }
                if (!first && pauseSeconds > 0) {
                    Scenarios.sleepSeconds(pauseSeconds);
                }
                first = false;
                try {
                    switch (s) {
                        case throughput -> new ThroughputScenario(this, node).run(report);
                        case latency -> new LatencyScenario(this, node).run(report);
                        case idle -> new IdleScenario(this, node).run(report);
                        default -> throw new IllegalStateException();
                    }
                } catch (RuntimeException e) {
                    System.err.println("the " + s + " scenario failed: " + e);
                    e.printStackTrace();
                    report.section(s + ": FAILED: " + e);
                }
                if (started.get() != null && !started.get().isAlive()) {
                    report.section("the relay node died during the " + s + " scenario; last lines of its log:");
                    started.get().lastLines().forEach(line -> report.line("%s", line));
                    break;
                }
            }
            if (started.get() != null && started.get().warnings() > 0) {
                report.section("the node logged " + started.get().warnings() + " warnings/errors"
                        + (nodeLog != null ? " (see " + nodeLog + ")" : " (keep its log with --node-log FILE)"));
            }
            report.print();
            writeOutputs(report);
            return status;
        } finally {
            NodeProcess node = started.get();
            if (node != null) {
                node.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }
}
