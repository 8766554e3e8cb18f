package org.securecomm.relay.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.ops.turn.CoturnServer;
import org.securecomm.relay.account.ConsoleCodeSender;

/**
 * {@code securecomm-relay dev}: a complete relay on one machine. Starts a local Cassandra node
 * (a child JVM, data under the data directory), applies the schema, keeps a generated identifier
 * key beside the data, starts a local coturn for TURN when coturn is installed, and runs a
 * one-node relay on loopback whose verification codes are printed on the console. Everything survives a restart on the same data directory.
 */
public final class DevMode {

    private DevMode() {
    }

    /** {@code turn}: the local coturn behind the node's TURN credentials, null when coturn is not installed. */
    public record Running(CassandraNode cassandra, CoturnServer turn, RelayNode node) implements AutoCloseable {
        @Override
        public void close() {
            try {
                node.close();
            } finally {
                try {
                    if (turn != null) {
                        turn.close();
                    }
                } finally {
                    cassandra.close();
                }
            }
        }
    }

    public static Running start(Path dataDir, int port) throws IOException {
        Files.createDirectories(dataDir);
        String hmacKey = identifierKey(dataDir.resolve("identifier-hmac.key"));
        CassandraNode cassandra = CassandraNode.start(CassandraNode.Options.of(dataDir.resolve("cassandra")));
        CoturnServer turn = null;
        try {
            CqlSchema.apply(cassandra.host(), cassandra.nativePort(), "datacenter1");
            Map<String, Object> settings = new HashMap<>(Map.of(
                    "securecomm.http.interface", "127.0.0.1",
                    "securecomm.http.port", port,
                    "securecomm.identifiers.hmac-key", hmacKey,
                    "securecomm.verification.sender", "console",
                    "securecomm.cassandra.contact-points",
                    ConfigValueFactory.fromIterable(List.of(cassandra.host() + ":" + cassandra.nativePort()))));
            // A dev node forms a cluster of its own: its management listener (probes) needs no fixed
            // port, and a second dev node (--port 8081) must not collide on it.
            settings.put("pekko.management.http.port", 0);
            if (port == 0) {
                // A free HTTP port (tests, several dev nodes side by side): free media and admin ports too.
                settings.put("securecomm.media.port", 0);
                settings.put("securecomm.admin.port", 0);
            }
            // 1:1 calls with --ice-policy relay need a TURN server: a local coturn when one is installed.
            if (CoturnServer.installed()) {
                turn = CoturnServer.start();
                settings.put("securecomm.turn.urls", ConfigValueFactory.fromIterable(List.of(turn.turnUrl())));
                settings.put("securecomm.turn.secret", turn.secret());
            }
            Config config = ConfigFactory.load(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.defaultApplication()));
            RelayNode node = RelayNode.start(config, new ConsoleCodeSender(System.out), Clock.systemUTC());
            return new Running(cassandra, turn, node);
        } catch (RuntimeException e) {
            if (turn != null) {
                turn.close();
            }
            cassandra.close();
            throw e;
        }
    }

    /** Reads the dev node's identifier key, creating it (owner-only) on first start. */
    private static String identifierKey(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encoded = Base64.getEncoder().encodeToString(key);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, encoded + "\n");
        return encoded;
    }
}
