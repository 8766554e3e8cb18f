package org.securecomm.relay.node;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.securecomm.relay.account.VerificationCodeSenders;

/**
 * Command line of the relay node.
 * <pre>
 *   securecomm-relay dev [--data-dir DIR] [--port N]   local node + local Cassandra (development)
 *   securecomm-relay run                               production node, configured by application.conf / env
 * </pre>
 */
public final class Main {

    private static final String USAGE = """
            usage: securecomm-relay dev [--data-dir DIR] [--port N]
                   securecomm-relay run      (configure with -Dconfig.file=FILE and SECURECOMM_* variables, see README)
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

    private static void run() throws Exception {
        var config = RelayConfig.load(System.getenv());
        RelaySettings.from(config); // fail fast, before anything starts, on a bad configuration
        var executor = java.util.concurrent.Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "verification-sender");
            thread.setDaemon(true);
            return thread;
        });
        RelayNode node = RelayNode.start(config, VerificationCodeSenders.fromConfig(config.getConfig("securecomm.verification"), executor),
                Clock.systemUTC());
        System.out.println("SecureComm relay ready for " + node.domain() + " at " + node.clientUrl());
        System.out.println(node.federation() == null
                ? "federation off (securecomm.federation.enabled): addresses of other domains are refused"
                : "federation on: other clusters reach " + node.domain() + " at " + node.federation().publishedEndpoint());
        awaitShutdown(node);
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
