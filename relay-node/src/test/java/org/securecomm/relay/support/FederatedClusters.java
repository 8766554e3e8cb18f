package org.securecomm.relay.support;

import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.node.RelayNode;

/**
 * Independent relay clusters that federate, for tests: each has its own domain, Cassandra node
 * (child JVM), Ed25519 server key and TLS certificate (from one test CA that every cluster trusts),
 * and knows where the others' well-known documents are (pinned, on loopback). A cluster can be
 * stopped and started again on its storage and ports (an outage, a restart of its node).
 */
public final class FederatedClusters implements AutoCloseable {

    /** One cluster: a one-node relay; {@code node} is null while it is stopped. */
    public static final class Cluster {
        private final String domain;
        private final CassandraNode cassandra;
        private final String identifierKey;
        private final Map<String, Object> settings;
        private final CapturingCodeSender codes = new CapturingCodeSender();
        private final int federationPort;
        private volatile RelayNode node;

        private Cluster(String domain, CassandraNode cassandra, String identifierKey, Map<String, Object> settings, int federationPort) {
            this.domain = domain;
            this.cassandra = cassandra;
            this.identifierKey = identifierKey;
            this.settings = settings;
            this.federationPort = federationPort;
        }

        public String domain() {
            return domain;
        }

        public RelayNode node() {
            return node;
        }

        public CassandraNode cassandra() {
            return cassandra;
        }

        public CapturingCodeSender codes() {
            return codes;
        }

        public int federationPort() {
            return federationPort;
        }

        /** Starts (again) this cluster's node on its storage, with its keys, ports and peers. */
        public synchronized RelayNode start() {
            if (node == null) {
                node = RelayNode.start(TestRelays.config(cassandra, identifierKey, settings), codes, Clock.systemUTC());
            }
            return node;
        }

        /** Coordinated shutdown of the node; its storage stays. */
        public synchronized void stop() {
            if (node != null) {
                node.close();
                node = null;
            }
        }
    }

    private final Map<String, Cluster> clusters;
    private final List<CassandraNode> ownCassandras;

    private FederatedClusters(Map<String, Cluster> clusters, List<CassandraNode> ownCassandras) {
        this.clusters = clusters;
        this.ownCassandras = ownCassandras;
    }

    /** Starts one cluster per domain; {@code overrides} apply to every cluster's settings. */
    public static FederatedClusters start(List<String> domains, Map<String, Object> overrides) {
        return start(domains, overrides, TestCertificateAuthority.create("SecureComm federation test CA"), Map.of());
    }

    /**
     * Like {@link #start(List, Map)} with the given CA, and {@code otherPeers} (domain to base URL)
     * pinned in every cluster besides the clusters themselves (test peers that are not clusters).
     */
    public static FederatedClusters start(List<String> domains, Map<String, Object> overrides, TestCertificateAuthority ca,
                                          Map<String, String> otherPeers) {
        Path dir = tempDir();
        Path caFile = writeCa(ca, dir.resolve("ca.pem"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        domains.forEach(domain -> ports.put(domain, freePort()));
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        List<CassandraNode> cassandras = new ArrayList<>();
        try {
            for (String domain : domains) {
                TestCertificateAuthority.PemFiles pem = pemFiles(ca.issue(domain, "127.0.0.1"), dir, domain);
                Path chain = pem.certificateChain();
                Path key = pem.privateKey();
                int port = ports.get(domain);
                Map<String, Object> settings = new HashMap<>();
                settings.put("securecomm.domain", domain);
                // A fixed client port, so devices reconnect to the same URL after a restart of the node.
                settings.put("securecomm.http.port", freePort());
                settings.put("securecomm.federation.enabled", true);
                settings.put("securecomm.federation.interface", "127.0.0.1");
                settings.put("securecomm.federation.port", port);
                settings.put("securecomm.federation.public-endpoint", "https://127.0.0.1:" + port + "/federation");
                settings.put("securecomm.federation.tls.certificate-chain", chain.toString());
                settings.put("securecomm.federation.tls.private-key", key.toString());
                settings.put("securecomm.federation.trusted-certificates", caFile.toString());
                settings.put("securecomm.federation.signing-key.id", "ed25519:" + domain.replace('.', '-') + "-1");
                settings.put("securecomm.federation.signing-key.seed", randomSeed());
                List<Map<String, Object>> peers = new ArrayList<>();
                otherPeers.forEach((other, url) -> peers.add(Map.of("domain", other, "url", url)));
                ports.forEach((other, otherPort) -> {
                    if (!other.equals(domain)) {
                        peers.add(Map.of("domain", other, "url", "https://127.0.0.1:" + otherPort));
                    }
                });
                settings.put("securecomm.federation.peers", ConfigValueFactory.fromIterable(peers));
                settings.put("securecomm.federation.queue.initial-backoff", "200ms");
                settings.put("securecomm.federation.queue.max-backoff", "2s");
                settings.putAll(overrides);
                CassandraNode cassandra = SharedCassandra.startFresh(domain);
                cassandras.add(cassandra);
                clusters.put(domain, new Cluster(domain, cassandra, TestRelays.newIdentifierKey(), settings, port));
            }
            FederatedClusters started = new FederatedClusters(clusters, cassandras);
            clusters.values().forEach(Cluster::start);
            return started;
        } catch (RuntimeException e) {
            clusters.values().forEach(Cluster::stop);
            cassandras.forEach(CassandraNode::close);
            throw e;
        }
    }

    public Cluster cluster(String domain) {
        Cluster cluster = clusters.get(domain);
        if (cluster == null) {
            throw new IllegalArgumentException("no cluster " + domain);
        }
        return cluster;
    }

    public List<Cluster> all() {
        return List.copyOf(clusters.values());
    }

    @Override
    public void close() {
        clusters.values().forEach(Cluster::stop);
        ownCassandras.forEach(CassandraNode::close);
    }

    private static String randomSeed() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return Base64.getEncoder().encodeToString(seed);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            Path target = Path.of("target").toAbsolutePath();
            return Files.createTempDirectory(Files.isDirectory(target) ? target : Path.of(System.getProperty("java.io.tmpdir")), "federation-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writeCa(TestCertificateAuthority ca, Path file) {
        try {
            return ca.writeCaPem(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestCertificateAuthority.PemFiles pemFiles(TestCertificateAuthority.Leaf leaf, Path dir, String name) {
        try {
            return leaf.write(dir, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
