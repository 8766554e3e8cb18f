package org.securecomm.relay.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.node.RelayNode;

/**
 * Several relay nodes of one Pekko cluster in the test JVM, on the shared Cassandra with one
 * identifier key: each has its own free Artery port, and every node's seed is the first node
 * (which forms the cluster). Cheaper than child JVMs when a test needs two or three nodes and
 * graceful stops ({@link RelayNode#close()} runs the coordinated shutdown: Closing pushes,
 * unbind, shard hand-off, leave); a kill -9 needs separate processes.
 */
public final class InProcessCluster implements AutoCloseable {

    private final List<RelayNode> nodes = new ArrayList<>();
    private final List<Boolean> running = new ArrayList<>();
    private final List<Integer> arteryPorts = new ArrayList<>();

    private InProcessCluster() {
    }

    /**
     * Starts {@code size} nodes one after another (each returns once it is Up and accepts
     * clients); {@code overrides} apply to every node.
     */
    public static InProcessCluster start(int size, CapturingCodeSender codes, Map<String, Object> overrides) {
        CassandraNode cassandra = SharedCassandra.get();
        String identifierKey = TestRelays.newIdentifierKey();
        InProcessCluster cluster = new InProcessCluster();
        try {
            for (int i = 0; i < size; i++) {
                cluster.arteryPorts.add(freePort());
            }
            String seed = "pekko://securecomm@127.0.0.1:" + cluster.arteryPorts.get(0);
            for (int i = 0; i < size; i++) {
                Map<String, Object> settings = new HashMap<>();
                settings.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
                settings.put("pekko.remote.artery.canonical.port", cluster.arteryPorts.get(i));
                settings.put("pekko.cluster.seed-nodes", com.typesafe.config.ConfigValueFactory.fromIterable(List.of(seed)));
                // Several nodes in one JVM: no fixed port may be shared (management, admin).
                settings.put("pekko.management.http.hostname", "127.0.0.1");
                settings.put("pekko.management.http.port", freePort());
                settings.put("securecomm.admin.port", freePort());
                settings.putAll(overrides);
                RelayNode node = RelayNode.start(TestRelays.config(cassandra, identifierKey, settings), codes, Clock.systemUTC());
                cluster.nodes.add(node);
                cluster.running.add(true);
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public RelayNode node(int index) {
        return nodes.get(index);
    }

    public URI clientUrl(int index) {
        return URI.create(nodes.get(index).clientUrl());
    }

    /** The cluster address of node {@code index}, e.g. pekko://securecomm@127.0.0.1:PORT. */
    public String address(int index) {
        return "pekko://securecomm@127.0.0.1:" + arteryPorts.get(index);
    }

    public int size() {
        return nodes.size();
    }

    /** Stops node {@code index} gracefully (coordinated shutdown); returns once its actor system terminated. */
    public synchronized void stop(int index) {
        if (running.get(index)) {
            running.set(index, false);
            nodes.get(index).close();
        }
    }

    /** Stops every node still running, the last started first (the first node is the seed). */
    @Override
    public synchronized void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                stop(i);
            } catch (RuntimeException e) {
                System.err.println("stopping relay node " + i + " failed: " + e);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
