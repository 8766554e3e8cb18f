package org.securecomm.relay.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads the node's configuration: system properties, then application.conf (or -Dconfig.file),
 * then environment variables that HOCON cannot express itself, then reference.conf.
 */
public final class RelayConfig {

    /** Comma-separated host:port list; HOCON's {@code ${?VAR}} cannot turn one variable into a list. */
    static final String CONTACT_POINTS_ENV = "SECURECOMM_CASSANDRA_CONTACT_POINTS";
    /** Comma-separated pekko://securecomm@host:port seed nodes (securecomm.cluster.formation = seed-nodes). */
    static final String SEED_NODES_ENV = "SECURECOMM_CLUSTER_SEED_NODES";
    /** Comma-separated TURN URLs, e.g. "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349". */
    static final String TURN_URLS_ENV = "SECURECOMM_TURN_URLS";

    private RelayConfig() {
    }

    public static Config load(Map<String, String> environment) {
        Map<String, Object> lists = new HashMap<>();
        listFromEnvironment(environment, CONTACT_POINTS_ENV, "securecomm.cassandra.contact-points", lists);
        listFromEnvironment(environment, TURN_URLS_ENV, "securecomm.turn.urls", lists);
        listFromEnvironment(environment, SEED_NODES_ENV, "pekko.cluster.seed-nodes", lists);
        return ConfigFactory.load(ConfigFactory.defaultApplication().withFallback(ConfigFactory.parseMap(lists)));
    }

    private static void listFromEnvironment(Map<String, String> environment, String variable, String key, Map<String, Object> into) {
        String value = environment.get(variable);
        if (value != null && !value.isBlank()) {
            into.put(key, Arrays.stream(value.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList());
        }
    }
}
