package org.securecomm.relay.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Loads the node's configuration: system properties, then application.conf (or -Dconfig.file),
 * then environment variables that HOCON cannot express itself, then reference.conf.
 */
public final class RelayConfig {

    /** Comma-separated host:port list; HOCON's {@code ${?VAR}} cannot turn one variable into a list. */
    static final String CONTACT_POINTS_ENV = "SECURECOMM_CASSANDRA_CONTACT_POINTS";

    private RelayConfig() {
    }

    public static Config load(Map<String, String> environment) {
        Config fromEnvironment = ConfigFactory.empty();
        String contactPoints = environment.get(CONTACT_POINTS_ENV);
        if (contactPoints != null && !contactPoints.isBlank()) {
            List<String> points = Arrays.stream(contactPoints.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList();
            fromEnvironment = ConfigFactory.parseMap(Map.of("securecomm.cassandra.contact-points", points));
        }
        return ConfigFactory.load(ConfigFactory.defaultApplication().withFallback(fromEnvironment));
    }
}
