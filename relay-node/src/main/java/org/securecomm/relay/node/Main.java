package org.securecomm.relay.node;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.securecomm.relay.account.VerificationCodeSenders;
import org.securecomm.relay.admin.AdminCli;
import org.securecomm.relay.admin.AdminServer;
import org.securecomm.relay.admin.AdminSettings;

/**
 * Command line of the relay node.
 * <pre>
 *   securecomm-relay dev [--data-dir DIR] [--port N]   local node + local Cassandra (development)
 *   securecomm-relay run                               production node, configured by application.conf / env
 *   securecomm-relay admin [...] COMMAND               a running node's admin API (see AdminCli)
 *   securecomm-relay schema [--replication SPEC]       the CQL schema, for cqlsh
 * </pre>
 */
public final class Main {

    private static final String USAGE = """
            usage: securecomm-relay dev [--data-dir DIR] [--port N]
                   securecomm-relay run      (configure with -Dconfig.file=FILE and SECURECOMM_* variables, see README)
                   securecomm-relay admin [--url URL] [--token-file FILE] [--json] COMMAND
                                             (members, shards, drain, peers, account, mailbox, mailbox-stats;
                                             `securecomm-relay admin help` lists them)
                   securecomm-relay schema [--replication DC:N[,DC:N...] | N]
                                             (prints the CQL schema with that keyspace replication, for cqlsh;
                                             production: 3 per data center, e.g. dc1:3)
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.print(USAGE);
            System.exit(2);
        }
        switch (args[0]) {
            case "dev" -> dev(args);
            case "run" -> run();
            case "admin" -> System.exit(AdminCli.run(Arrays.asList(args).subList(1, args.length), System.getenv(), System.out,
                    System.err));
            case "schema" -> schema(args);
            case "--help", "-h", "help" -> System.out.print(USAGE);
            default -> {
                System.err.print("unknown command " + args[0] + "\n" + USAGE);
                System.exit(2);
            }
        }
    }

    private static void dev(String[] args) throws Exception {
        Path dataDir = Path.of(System.getProperty("user.home"), ".securecomm", "dev");
        int port = 8080;
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                fail("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--data-dir" -> dataDir = Path.of(value).toAbsolutePath();
                case "--port" -> port = parsePort(value);
                default -> fail("unknown option " + option);
            }
        }
        System.out.println("starting a dev relay: Cassandra and data in " + dataDir);
        DevMode.Running running = DevMode.start(dataDir, port);
        System.out.println(running.turn() == null
                ? "no TURN server: install coturn for calls with --ice-policy relay"
                : "TURN for 1:1 calls: " + running.turn().turnUrl() + " (a local coturn)");
        System.out.println("SecureComm dev relay ready for " + running.node().domain() + " at " + running.node().clientUrl());
        awaitShutdown(running);
    }

    private static void schema(String[] args) {
        String replication = null;
        if (args.length == 3 && args[1].equals("--replication")) {
            replication = args[2];
        } else if (args.length != 1) {
            fail("schema takes only --replication DC:N[,DC:N...] (or one number for SimpleStrategy)");
        }
        try {
            for (String statement : replication == null ? CqlSchema.statements() : CqlSchema.statements(replication)) {
                System.out.println(statement + ";\n");
            }
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
    }

    /**
     * Runs a production node until its actor system terminates, whatever the cause (a signal, a
     * drain, downed by the Split Brain Resolver, failed to join), then ends the process so that
     * systemd or Kubernetes restarts it: a JVM left without its actor system serves nothing.
     */
    private static void run() throws Exception {
        var config = RelayConfig.load(System.getenv());
        try {
            // Fail fast, before anything starts, on a bad configuration.
            RelaySettings.from(config);
            AdminSettings.from(config);
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
        var executor = java.util.concurrent.Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "verification-sender");
            thread.setDaemon(true);
            return thread;
        });
        RelayNode node;
        try {
            node = RelayNode.start(config, VerificationCodeSenders.fromConfig(config.getConfig("securecomm.verification"), executor),
                    Clock.systemUTC());
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("SecureComm relay ready for " + node.domain() + " at " + node.clientUrl());
        System.out.println(node.federation() == null
                ? "federation off (securecomm.federation.enabled): addresses of other domains are refused"
                : "federation on: other clusters reach " + node.domain() + " at " + node.federation().publishedEndpoint());
        if (node.managementUri() != null) {
            System.out.println("health probes and cluster state (private network only) at " + node.managementUri());
        }
        AtomicBoolean signalled = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signalled.set(true);
            System.out.println("stopping...");
            node.close();
            System.out.println("stopped");
        }, "securecomm-shutdown"));
        node.system().getWhenTerminated().toCompletableFuture().join();
        Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(node.system()).getShutdownReason();
        int code = exitCode(reason);
        System.out.println("the actor system terminated (" + reason.map(Object::toString).orElse("no coordinated shutdown")
                + "): exit code " + code);
        if (!signalled.get()) {
            System.exit(code); // from within a shutdown (a signal) the JVM is already exiting
        }
    }

    /**
     * The process exit code for why the node's actor system terminated: 0 for a normal stop (a
     * signal, {@link RelayNode#close}, an admin drain, leaving the cluster), 1 for everything else
     * (downed by the Split Brain Resolver, failed to join, incompatible configuration, terminated
     * without a coordinated shutdown).
     */
    public static int exitCode(Optional<CoordinatedShutdown.Reason> reason) {
        if (reason.isEmpty()) {
            return 1;
        }
        CoordinatedShutdown.Reason r = reason.get();
        boolean normal = r == CoordinatedShutdown.jvmExitReason() || r == CoordinatedShutdown.unknownReason()
                || r == CoordinatedShutdown.clusterLeavingReason() || r == AdminServer.DRAIN_REASON;
        return normal ? 0 : 1;
    }

    /** Blocks until SIGINT/SIGTERM, then closes everything before the JVM exits. */
    private static void awaitShutdown(AutoCloseable running) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping...");
            try {
                running.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
            System.out.println("stopped");
            stopped.countDown();
        }, "securecomm-shutdown"));
        stopped.await();
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail("--port needs a number from 0 to 65535");
        return -1;
    }

    private static void fail(String message) {
        System.err.print(message + "\n" + USAGE);
        System.exit(2);
    }
}
