package org.securecomm.relay.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The CQL schema the node runs on (ops/schema/securecomm.cql, packaged into the node). Production
 * clusters apply it with cqlsh; dev mode and tests apply it here. Every statement is
 * {@code IF NOT EXISTS}, so applying it again is harmless.
 */
public final class CqlSchema {

    public static final String RESOURCE = "/securecomm/schema/securecomm.cql";

    private CqlSchema() {
    }

    public static String text() {
        try (InputStream in = CqlSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the schema " + RESOURCE + " is missing from the node's classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the schema", e);
        }
    }

    /** The statements of the schema, without comments. */
    public static List<String> statements() {
        String withoutComments = text().lines().filter(line -> !line.strip().startsWith("--")).reduce("", (a, b) -> a + b + "\n");
        return Arrays.stream(withoutComments.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * The statements with the keyspace's replication replaced: {@code "DC:N[,DC:N...]"} gives
     * NetworkTopologyStrategy with N replicas in each data center (production: 3 per data
     * center, so LOCAL_QUORUM survives one replica down); a bare number gives SimpleStrategy
     * (one Cassandra node: development only).
     */
    public static List<String> statements(String replication) {
        String clause = "WITH replication = " + replicationMap(replication);
        return statements().stream()
                .map(statement -> statement.startsWith("CREATE KEYSPACE")
                        ? statement.replaceFirst("(?s)WITH replication = \\{[^}]*}", java.util.regex.Matcher.quoteReplacement(clause))
                        : statement)
                .toList();
    }

    static String replicationMap(String replication) {
        String spec = replication.strip();
        if (spec.matches("[1-9][0-9]?")) {
            return "{'class': 'SimpleStrategy', 'replication_factor': " + spec + "}";
        }
        StringBuilder map = new StringBuilder("{'class': 'NetworkTopologyStrategy'");
        for (String dataCenter : spec.split(",")) {
            String[] parts = dataCenter.strip().split(":");
            if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9_.-]+") || !parts[1].matches("[1-9][0-9]?")) {
                throw new IllegalArgumentException("replication is DC:N[,DC:N...] (e.g. dc1:3,dc2:3) or one number for"
                        + " SimpleStrategy, not " + replication);
            }
            map.append(", '").append(parts[0]).append("': ").append(parts[1]);
        }
        return map.append('}').toString();
    }

    public static void apply(String host, int port, String localDatacenter) {
        try (CqlSession session = session(host, port, localDatacenter)) {
            for (String statement : statements()) {
                session.execute(statement);
            }
        }
    }

    /** A session to exactly this node: contact points from reference.conf are not merged in. */
    public static CqlSession session(String host, int port, String localDatacenter) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of(host + ":" + port))
                .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, localDatacenter)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(30))
                .build();
        return CqlSession.builder().withConfigLoader(config).build();
    }
}
