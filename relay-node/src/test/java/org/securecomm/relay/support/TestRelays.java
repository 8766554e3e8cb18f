package org.securecomm.relay.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.media.MediaForwarder;
import org.securecomm.relay.node.RelayNode;

/** Configuration and start-up of relay nodes for tests: free ports, real Cassandra, cheap Argon2. */
public final class TestRelays {

    public static final String DOMAIN = "relay.test";

    private TestRelays() {
    }

    public static String newIdentifierKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Test settings over reference.conf; {@code overrides} win. */
    public static Config config(CassandraNode cassandra, String identifierKey, Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("securecomm.domain", DOMAIN);
        settings.put("securecomm.http.port", 0);
        settings.put("securecomm.media.port", 0);
        settings.put("securecomm.identifiers.hmac-key", identifierKey);
        settings.put("securecomm.cassandra.contact-points",
                ConfigValueFactory.fromIterable(List.of(cassandra.host() + ":" + cassandra.nativePort())));
        // Real Argon2id, at a cost that keeps the suite fast.
        settings.put("securecomm.accounts.password-hash.memory-kib", 1024);
        settings.put("securecomm.accounts.password-hash.iterations", 1);
        settings.put("securecomm.limits.authentication-attempts-per-minute", 600);
        settings.put("securecomm.limits.authentication-attempt-burst", 100);
        settings.put("securecomm.http.shutdown-deadline", "3s");
        // Management (health probes, cluster routes) on a free port: many nodes share this machine.
        settings.put("pekko.management.http.port", 0);
        settings.put("securecomm.admin.port", 0);
        settings.putAll(overrides);
        return ConfigFactory.load(ConfigFactory.parseMap(settings));
    }

    public static RelayNode start(CassandraNode cassandra, String identifierKey, CapturingCodeSender codes, Map<String, Object> overrides) {
        return RelayNode.start(config(cassandra, identifierKey, overrides), codes, Clock.systemUTC());
    }

    /** The node's media forwarder: set a {@link org.securecomm.relay.media.PacketTap} or read its counters. */
    public static MediaForwarder forwarder(RelayNode node) {
        return node.mediaForwarder();
    }

    public static RelayNode start(CassandraNode cassandra, CapturingCodeSender codes) {
        return start(cassandra, newIdentifierKey(), codes, Map.of());
    }
}
