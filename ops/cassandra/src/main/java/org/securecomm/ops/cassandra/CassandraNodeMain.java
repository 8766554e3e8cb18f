package org.securecomm.ops.cassandra;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs one node from the command line, for operators debugging the dev setup:
 * {@code java -cp <launcher jar> org.securecomm.ops.cassandra.CassandraNodeMain --data-dir DIR [--port N]}.
 * Ctrl-C or SIGTERM stops it through the shutdown hook that {@link CassandraNode#start} registers.
 */
public final class CassandraNodeMain {

    private static final String USAGE =
            "usage: CassandraNodeMain --data-dir DIR [--port N]   (N = CQL port, default: a free port)";

    private CassandraNodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        CassandraNode.Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        CassandraNode node = CassandraNode.start(options);
        System.out.printf("cassandra ready on %s:%d (data in %s)%n", node.host(), node.nativePort(), node.dataDir());
        System.out.flush();
        while (node.isAlive()) {
            Thread.sleep(500);
        }
        // Reached when the child died on its own (a signal stops the JVM before this line).
        System.err.println("cassandra child exited; see " + node.dataDir().resolve("logs"));
        System.exit(1);
    }

    static CassandraNode.Options parse(String[] args) {
        Path dataDir = null;
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, arg));
                case "--port" -> port = parsePort(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("--data-dir is required");
        }
        return CassandraNode.Options.of(dataDir).withNativePort(port);
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[index];
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be a number, not " + text);
        }
    }
}
