package org.securecomm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.securecomm.bench.xmpp.EjabberdIdle;
import org.securecomm.bench.xmpp.EjabberdServer;
import org.securecomm.bench.xmpp.XmppMessaging;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code securecomm-bench ejabberd}: the same workloads against ejabberd (Debian's package, started
 * here) and against a SecureComm dev node, one after the other, never at once. Node options
 * (--node-heap, --relay-launcher, ...) are the main command's, given before {@code ejabberd}.
 */
@Command(name = "ejabberd", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {
                "Side by side with ejabberd (Debian's package, installed with apt-get when missing and run as root):",
                "messaging with offline recipients at the same durability class (both persist the queue, acknowledged",
                "after a write to the OS), and idle authenticated connections with the server's memory per connection.",
                "Runs ejabberd first, then a SecureComm dev node (with its Cassandra); prints both and SecureComm/ejabberd.",
                ""})
public final class EjabberdCommand implements Callable<Integer> {

    /** Which comparisons to run. */
    enum Part { messaging, connections, all }

    /** mnesia's offline store counts the queue on every store: longer queues measure that, not the server. */
    static final int MAX_QUEUE = 1000;

    @ParentCommand
    RelayBenchmark parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--part", defaultValue = "all", paramLabel = "PART",
            description = "messaging, connections or all (default: ${DEFAULT-VALUE})")
    Part part;

    @Option(names = "--pairs", defaultValue = "50", paramLabel = "N", description = "messaging: sender/recipient pairs (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--messages", defaultValue = "500", paramLabel = "M",
            description = "messaging: messages per sender = offline queue per recipient, at most " + MAX_QUEUE + " (default: ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--size", defaultValue = "256", paramLabel = "BYTES", description = "opaque payload per message (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--window", defaultValue = "16", paramLabel = "N",
            description = "messaging: unacknowledged sends per sender (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--warmup-rounds", defaultValue = "2", paramLabel = "N",
            description = "messaging: unmeasured offline rounds first, on other users, for each system (JIT, caches)"
                    + " (default: ${DEFAULT-VALUE})")
    int warmupRounds;

    @Option(names = "--online", description = "messaging: also a round with the recipients connected (NOT equal durability:"
            + " ejabberd then routes in memory without storing)")
    boolean online;

    @Option(names = "--connections", defaultValue = "5000", paramLabel = "C",
            description = "connections: idle authenticated connections per server (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--connect-concurrency", defaultValue = "64", paramLabel = "N", description = "logins in flight (default: ${DEFAULT-VALUE})")
    int connectConcurrency;

    @Option(names = "--idle", defaultValue = "30", paramLabel = "SECONDS", description = "connections: idle period (default: ${DEFAULT-VALUE})")
    int idleSeconds;

    @Option(names = "--heartbeat", defaultValue = "20", paramLabel = "SECONDS",
            description = "connections: XMPP whitespace keepalive interval; the relay pings every 20 s (default: ${DEFAULT-VALUE})")
    int heartbeatSeconds;

    @Option(names = "--json", paramLabel = "FILE", description = "write the figures as JSON")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "write the figures as CSV")
    Path csv;

    void validate() {
        if (warmupRounds < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup-rounds cannot be negative");
        }
        if (pairs < 1 || window < 1 || connections < 1 || connectConcurrency < 1 || idleSeconds < 0 || heartbeatSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--pairs, --window, --connections, --connect-concurrency and --heartbeat"
                    + " must be positive, --idle not negative");
        }
        if (messages < 1 || messages > MAX_QUEUE) {
            throw new ParameterException(spec.commandLine(), "--messages must be 1 to " + MAX_QUEUE + ": each recipient's offline"
                    + " queue holds them all, and ejabberd's mnesia offline store costs O(queue length) per message beyond that");
        }
        if (size < Traffic.HEADER_BYTES) {
            throw new ParameterException(spec.commandLine(), "--size must be at least " + Traffic.HEADER_BYTES + " bytes (the benchmark's header)");
        }
        long limit = openFilesLimit();
        if (runs(Part.connections) && limit > 0 && connections > limit - 1000) {
            throw new ParameterException(spec.commandLine(), "--connections " + connections + " does not fit the open files limit "
                    + limit + " of this process (each side holds one descriptor per connection; keep 1,000 spare)");
        }
    }

    private boolean runs(Part p) {
        return part == Part.all || part == p;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Report report = new Report();
        System.out.println("SecureComm vs ejabberd");
        for (String fact : ProcStats.machineFacts()) {
            System.out.println("  " + fact);
            report.header(fact);
        }
        long fdLimit = openFilesLimit();
        report.header("open files limit (this process, inherited by both servers): " + fdLimit + " soft, " + openFilesHardLimit() + " hard");
        report.header("servers run one after the other on this machine, the load generator in this JVM; messaging measured after "
                + warmupRounds + " unmeasured warm-up round(s) per system");
        Optional<MessagingFigures> xmppOffline = Optional.empty();
        Optional<MessagingFigures> xmppOnline = Optional.empty();
        Optional<IdleFigures> xmppIdle = Optional.empty();
        System.out.println("\n== ejabberd");
        try (EjabberdServer ejabberd = EjabberdServer.start(EjabberdServer.Options.defaults().withMaxConnections(connections))) {
            report.header("ejabberd: Debian's package, erl -s ejabberd, pid " + ejabberd.pid() + ", c2s plain TCP on 127.0.0.1:"
                    + ejabberd.c2sPort() + ", shaper none, mod_offline db_type mnesia, SASL PLAIN, XEP-0198 via Smack 4.4.8");
            if (runs(Part.messaging)) {
                XmppMessaging xmpp = new XmppMessaging(ejabberd, pairs, messages, size, window);
                for (int round = 1; round <= warmupRounds; round++) {
                    System.out.println("  warm-up round " + round + " of " + warmupRounds + " (not measured)");
                    xmpp.run("w" + round, false);
                }
                xmppOffline = Optional.of(xmpp.run("off", false));
                if (online) {
                    xmppOnline = Optional.of(xmpp.run("on", true));
                }
            }
            if (runs(Part.connections)) {
                xmppIdle = Optional.of(new EjabberdIdle(ejabberd, connections, connectConcurrency, Duration.ofSeconds(idleSeconds),
                        Duration.ofSeconds(heartbeatSeconds)).run());
            }
        }
        System.out.println("\n== SecureComm");
        try (NodeProcess process = NodeProcess.start(parent.launcher(), parent.nodeJavaOpts(), parent.keepData, 900)) {
            NodeInfo node = new NodeInfo(process.url(), Optional.of(process.nodePid()), process.cassandraPid());
            report.header("SecureComm: dev node (its own Cassandra child), SECURECOMM_JAVA_OPTS=" + parent.nodeJavaOpts());
            EjabberdComparisonReport comparison = new EjabberdComparisonReport(report);
            if (runs(Part.messaging)) {
                SecureCommMessaging relay = new SecureCommMessaging(parent, node, pairs, messages, size, window);
                for (int round = 1; round <= warmupRounds; round++) {
                    System.out.println("  warm-up round " + round + " of " + warmupRounds + " (not measured)");
                    relay.run(false);
                }
                comparison.messaging(relay.run(false), xmppOffline.orElseThrow(), messages, size);
                if (online) {
                    comparison.messaging(relay.run(true), xmppOnline.orElseThrow(), messages, size);
                }
            }
            if (runs(Part.connections)) {
                IdleFigures ours = new SecureCommIdle(parent, node, connections, connectConcurrency, Duration.ofSeconds(idleSeconds)).run();
                comparison.idle(ours, xmppIdle.orElseThrow(), fdLimit, heartbeatSeconds);
            }
        }
        report.print();
        if (json != null) {
            report.writeJson(json);
        }
        if (csv != null) {
            report.writeCsv(csv);
        }
        return 0;
    }

    /** RLIMIT_NOFILE of this process (soft), from /proc/self/limits; -1 when unknown. */
    static long openFilesLimit() {
        return limitsField(3);
    }

    static long openFilesHardLimit() {
        return limitsField(4);
    }

    private static long limitsField(int field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.trim().split("\\s+")[field]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
