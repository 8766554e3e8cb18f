package org.securecomm.ops.turn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The turnserver.conf of a launcher-run coturn: loopback only, REST credentials, no TLS/DTLS/CLI.
 * ops/turn/turnserver.conf is the documented production counterpart.
 */
record CoturnConfig(String listeningIp, int listeningPort, String relayIp, int minPort, int maxPort,
                    String realm, String secret, Path dir, int relayThreads, boolean verbose) {

    /** {@link #relayThreads} value that leaves coturn's default (one relay thread per core). */
    static final int DEFAULT_RELAY_THREADS = -1;

    Path configFile() {
        return dir.resolve("turnserver.conf");
    }

    Path logFile() {
        return dir.resolve("turnserver.log");
    }

    Path pidFile() {
        return dir.resolve("turnserver.pid");
    }

    Path stdoutFile() {
        return dir.resolve("stdout.log");
    }

    /** The pid of turnserver as the watcher shell started it (coturn's own pidfile comes later). */
    Path childPidFile() {
        return dir.resolve("child.pid");
    }

    String render() {
        List<String> lines = new ArrayList<>(List.of(
                "# Written by org.securecomm.ops.turn.CoturnServer for a dev node or a test. Not for production:",
                "# see ops/turn/turnserver.conf.",
                "listening-ip=" + listeningIp,
                "listening-port=" + listeningPort,
                "relay-ip=" + relayIp,
                "min-port=" + minPort,
                "max-port=" + maxPort,
                "use-auth-secret",
                "static-auth-secret=" + secret,
                "realm=" + realm,
                "fingerprint",
                "no-tls",
                "no-dtls",
                "no-cli",
                // Peers are other processes on this machine: coturn refuses loopback peers by default.
                "allow-loopback-peers",
                "no-multicast-peers",
                "log-file=" + logFile(),
                // One file, no date suffix or rollover, so a failure message can quote it.
                "simple-log",
                "pidfile=" + pidFile(),
                // Not the system-wide /var/lib/turn/turndb: REST credentials need no user database.
                "userdb=" + dir.resolve("turndb")));
        if (verbose) {
            // Sessions (allocations, refreshes, closes) in the log: what a test failure needs.
            lines.add("verbose");
        }
        if (relayThreads != DEFAULT_RELAY_THREADS) {
            // 0 runs relaying in the listener's thread (coturn's own meaning of 0).
            lines.add("relay-threads=" + relayThreads);
        }
        return String.join("\n", lines) + "\n";
    }
}
