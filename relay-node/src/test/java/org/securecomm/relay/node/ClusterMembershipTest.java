package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import com.typesafe.config.ConfigValueFactory;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.relay.cluster.NodeLifecycle;
import org.securecomm.relay.cluster.NodeReadiness;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.session.UserSession;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/**
 * Two relay nodes of one cluster in this JVM (real Cassandra, real sockets): formation from seed
 * nodes and through cluster bootstrap, the management probes and cluster metrics, and devices
 * that stay connected while the shards of their sessions and mailboxes move to another node.
 */
class ClusterMembershipTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();
    private final CapturingCodeSender codes = new CapturingCodeSender();
    private final String identifierKey = TestRelays.newIdentifierKey();

    @Test
    void devicesKeepTheirPushesWhenTheShardsOfTheirSessionsAndMailboxesMove() throws Exception {
        int seedPort = freePort();
        String seed = "pekko://securecomm@127.0.0.1:" + seedPort;
        RelayNode leaving = start(seedPort, Map.of("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of(seed))));
        try (RelayNode staying = start(freePort(), Map.of("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of(seed))))) {
            awaitMembers(staying, 2);
            String suffix = Long.toString(System.nanoTime(), 36);
            TestDevice sender = TestDevice.register(staying.clientUrl(), codes, "s-" + suffix + "@example.org", "s" + suffix);
            List<TestDevice> recipients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                recipients.add(TestDevice.register(staying.clientUrl(), codes, "r" + i + "-" + suffix + "@example.org", "r" + i + suffix));
            }
            // Every device is connected to the node that stays; some of their sessions and
            // mailboxes run on the node that leaves (256 shards over two nodes).
            Set<String> sessionsAway = hostedIds(leaving, UserSession.TYPE_KEY);
            Set<String> mailboxesAway = hostedIds(leaving, Mailbox.TYPE_KEY);
            long away = recipients.stream().filter(r -> sessionsAway.contains(r.accountId)
                    || mailboxesAway.contains(Mailbox.entityId(r.accountId, r.deviceId))).count();
            assertTrue(away > 0, "some sessions or mailboxes of the 8 recipients run on the other node: " + sessionsAway);

            leaving.close(); // graceful: its shards are handed off to the node that stays
            awaitMembers(staying, 1);

            for (TestDevice recipient : recipients) {
                byte[] content = TestDevice.randomBytes(32);
                sender.send(recipient.address, List.of(recipient.deviceId), content);
                Envelope pushed = recipient.nextEnvelope(WAIT);
                assertArrayEquals(content, pushed.getContent().toByteArray(),
                        "a device that never reconnected still gets its pushes after its shards moved");
                recipient.acknowledge(pushed);
            }
        } finally {
            leaving.close();
        }
    }

    @Test
    void formsThroughClusterBootstrapAndServesProbesAndClusterMetrics() throws Exception {
        int managementA = freePort();
        int managementB = freePort();
        // Config discovery: the two management endpoints on this host (different ports, so the
        // default filter on bootstrap's fallback port must be off).
        Map<String, Object> bootstrap = new HashMap<>();
        bootstrap.put("securecomm.cluster.formation", "bootstrap");
        bootstrap.put("pekko.discovery.method", "config");
        bootstrap.put("pekko.discovery.config.services.securecomm-relay.endpoints", ConfigValueFactory.fromIterable(List.of(
                Map.of("host", "127.0.0.1", "port", managementA), Map.of("host", "127.0.0.1", "port", managementB))));
        bootstrap.put("pekko.management.cluster.bootstrap.contact-point.filter-on-fallback-port", false);
        bootstrap.put("pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s");
        Map<String, Object> a = new HashMap<>(bootstrap);
        a.put("pekko.management.http.port", managementA);
        Map<String, Object> b = new HashMap<>(bootstrap);
        b.put("pekko.management.http.port", managementB);
        // Each start blocks until its node is Up, which needs the other: start both at once.
        CompletableFuture<RelayNode> first = CompletableFuture.supplyAsync(() -> start(freePort(), a));
        CompletableFuture<RelayNode> second = CompletableFuture.supplyAsync(() -> start(freePort(), b));
        try (RelayNode nodeA = first.get(3, TimeUnit.MINUTES); RelayNode nodeB = second.get(3, TimeUnit.MINUTES)) {
            awaitMembers(nodeA, 2);
            assertEquals(Cluster.get(nodeA.system()).state().getLeader(), Cluster.get(nodeB.system()).state().getLeader(),
                    "one cluster, not two");
            assertEquals(URI.create("http://127.0.0.1:" + managementA), nodeA.managementUri());

            String management = "http://127.0.0.1:" + managementA;
            assertEquals(200, get(management + "/alive").statusCode());
            assertEquals(200, get(management + "/ready").statusCode());
            assertEquals(200, get(management + "/startup").statusCode());
            HttpResponse<String> members = get(management + "/cluster/members");
            assertEquals(200, members.statusCode());
            assertEquals(2, count(members.body(), "\"status\":\"Up\""), members.body());
            int post = http.send(HttpRequest.newBuilder(URI.create(management + "/cluster/members"))
                    .POST(HttpRequest.BodyPublishers.ofString("operation=leave")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            assertTrue(post == 404 || post == 405, "management is read-only (no cluster changes without the admin token): " + post);

            String metrics = awaitMetric(nodeA, "securecomm_shards{type=\"Username\"}");
            assertEquals(2.0, metric(metrics, "securecomm_cluster_members{status=\"Up\"}"), metrics);
            assertEquals(0.0, metric(metrics, "securecomm_cluster_unreachable_members"), metrics);
            assertEquals(1.0, metric(metrics, "securecomm_node_ready"), metrics);
            assertTrue(metrics.contains("securecomm_persistence_latency_seconds_bucket"), metrics);
            assertTrue(metrics.contains("securecomm_mailbox_oldest_envelope_seconds"), metrics);

            // Draining: readiness goes down before anything else happens.
            NodeLifecycle.get(nodeB.system()).markDraining();
            assertFalse(new NodeReadiness(nodeB.system().classicSystem()).get().toCompletableFuture().get());
            assertEquals(500, get("http://127.0.0.1:" + managementB + "/ready").statusCode());
        }
    }

    private RelayNode start(int clusterPort, Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put("pekko.remote.artery.canonical.port", clusterPort);
        settings.putIfAbsent("pekko.cluster.split-brain-resolver.stable-after", "5s");
        return TestRelays.start(SharedCassandra.get(), identifierKey, codes, settings);
    }

    private static void awaitMembers(RelayNode node, int expected) throws InterruptedException {
        Cluster cluster = Cluster.get(node.system());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<org.apache.pekko.cluster.Member> members = new ArrayList<>();
            cluster.state().getMembers().forEach(members::add);
            if (members.size() == expected && members.stream().allMatch(m -> m.status() == org.apache.pekko.cluster.MemberStatus.up())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the cluster did not reach " + expected + " members: " + cluster.state().getMembers());
    }

    private static Set<String> hostedIds(RelayNode node, EntityTypeKey<?> type) throws Exception {
        ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                        ClusterSharding.get(node.system()).shardState(), replyTo -> new GetShardRegionState(type, replyTo),
                        WAIT, node.system().scheduler())
                .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return state.getShards().stream().flatMap(shard -> shard.getEntityIds().stream()).collect(Collectors.toSet());
    }

    private String awaitMetric(RelayNode node, String name) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String metrics = get("http://127.0.0.1:" + node.port() + "/metrics").body();
            if (metrics.contains(name) || System.nanoTime() > deadline) {
                return metrics;
            }
            Thread.sleep(500);
        }
    }

    private static double metric(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        if (!matcher.find()) {
            throw new AssertionError("no " + name + " in\n" + metrics);
        }
        return Double.parseDouble(matcher.group(1));
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
