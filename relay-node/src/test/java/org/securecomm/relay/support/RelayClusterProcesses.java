package org.securecomm.relay.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.securecomm.ops.cassandra.CassandraNode;

/**
 * A relay cluster of separate node processes on this machine, all on one Cassandra: the first two
 * nodes are the seed nodes, every node has fixed ports (client, media, cluster, management) so
 * it restarts on the same URL and cluster address. Configs and logs stay in {@link #dir()}.
 */
public final class RelayClusterProcesses implements AutoCloseable {

    /** Identifiers with this prefix get {@link #TEST_CODE} (securecomm.verification.test-*). */
    public static final String TEST_PREFIX = "test-";
    public static final String TEST_CODE = "246810";
    public static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    private final Path dir;
    private final CassandraNode cassandra;
    private final String identifierKey = TestRelays.newIdentifierKey();
    private final List<String> jvmOptions;
    private final List<ClusterNodeProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<Integer> seedPorts = new ArrayList<>();

    private RelayClusterProcesses(Path dir, CassandraNode cassandra, List<String> jvmOptions) {
        this.dir = dir;
        this.cassandra = cassandra;
        this.jvmOptions = jvmOptions;
    }

    /** Starts {@code size} nodes one after the other (the first seed forms the cluster, the others join). */
    public static RelayClusterProcesses start(String name, int size) {
        return start(name, size, SharedCassandra.get(), List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-Xss512k",
                "-XX:ReservedCodeCacheSize=64m", "-XX:MaxMetaspaceSize=128m"));
    }

    public static RelayClusterProcesses start(String name, int size, CassandraNode cassandra, List<String> jvmOptions) {
        RelayClusterProcesses cluster;
        try {
            Path base = Path.of("target").toAbsolutePath();
            Files.createDirectories(base);
            cluster = new RelayClusterProcesses(Files.createTempDirectory(base, "cluster-" + name + "-"), cassandra, jvmOptions);
            Files.writeString(cluster.dir.resolve("logback-node.xml"), LOGBACK, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Both seeds' cluster ports are known before either starts.
        cluster.seedPorts.add(freePort());
        cluster.seedPorts.add(freePort());
        try {
            for (int i = 0; i < size; i++) {
                cluster.addNode();
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Creates and starts the next node (a join: a fourth node to a three-node cluster). */
    public ClusterNodeProcess addNode() {
        int index = nodes.size() + 1;
        int clusterPort = index <= seedPorts.size() ? seedPorts.get(index - 1) : freePort();
        Path config = dir.resolve("node-" + index + ".conf");
        ClusterNodeProcess node = new ClusterNodeProcess(index, freePort(), freeUdpPort(), clusterPort, freePort(), config,
                dir.resolve("node-" + index + ".log"), jvmOptions);
        try {
            Files.writeString(config, config(node), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        nodes.add(node);
        return node.start(START_TIMEOUT);
    }

    private String config(ClusterNodeProcess node) {
        StringBuilder seeds = new StringBuilder();
        for (int port : seedPorts) {
            seeds.append(seeds.length() == 0 ? "" : ", ").append("\"pekko://securecomm@127.0.0.1:").append(port).append('"');
        }
        return """
                securecomm {
                  domain = "%s"
                  http.port = %d
                  http.shutdown-deadline = 3s
                  media.port = %d
                  identifiers.hmac-key = "%s"
                  cassandra.contact-points = ["%s:%d"]
                  accounts.password-hash { memory-kib = 1024, iterations = 1 }
                  limits { authentication-attempts-per-minute = 600, authentication-attempt-burst = 100 }
                  verification { test-identifier-prefix = "%s", test-code = "%s" }
                  # Several nodes on one host: the admin API is tested on its own (admin package).
                  admin.enabled = off
                }
                pekko {
                  remote.artery.canonical { hostname = "127.0.0.1", port = %d }
                  cluster {
                    seed-nodes = [%s]
                    split-brain-resolver.stable-after = 7s
                    failure-detector.acceptable-heartbeat-pause = 5s
                  }
                  # The node's Pekko Management: probes and the read-only shard distribution the tests read.
                  management.http { hostname = "127.0.0.1", port = %d }
                }
                # A loaded 2-core machine answers slower than the driver's 2 s default.
                datastax-java-driver.profiles.pekko-persistence-cassandra-profile.basic.request.timeout = 5s
                """.formatted(TestRelays.DOMAIN, node.httpPort, node.mediaPort, identifierKey, cassandra.host(), cassandra.nativePort(),
                TEST_PREFIX, TEST_CODE, node.clusterPort, seeds, node.managementPort);
    }

    /** Node {@code index} (1-based). */
    public ClusterNodeProcess node(int index) {
        return nodes.get(index - 1);
    }

    public List<ClusterNodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    public List<String> urls() {
        return nodes.stream().map(ClusterNodeProcess::url).toList();
    }

    public Path dir() {
        return dir;
    }

    public CassandraNode cassandra() {
        return cassandra;
    }

    /** A source of verification codes for identifiers made by {@link #identifier}. */
    public static CodeSource codes() {
        return identifier -> {
            if (!identifier.startsWith(TEST_PREFIX)) {
                throw new AssertionError(identifier + " is not a test identifier");
            }
            return TEST_CODE;
        };
    }

    /** A fresh test identifier (an email address the relay answers with the test code). */
    public static String identifier(String name) {
        return TEST_PREFIX + name + "-" + Long.toString(System.nanoTime(), 36) + "@example.org";
    }

    /** SIGTERM to every running node at once, each waited for; then whatever is left is killed. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (ClusterNodeProcess node : nodes) {
            Thread t = new Thread(() -> node.stop(Duration.ofSeconds(30)), "stop-node-" + node.index);
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        nodes.forEach(ClusterNodeProcess::kill9);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freeUdpPort() {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // The node's log: INFO and up on standard output, which the test appends to node-N.log.
    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="com.datastax.oss.driver" level="WARN"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}
