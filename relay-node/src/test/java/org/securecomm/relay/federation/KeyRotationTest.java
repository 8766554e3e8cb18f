package org.securecomm.relay.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.ServerDescriptions;
import org.securecomm.federation.ServerKeyPair;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.federation.v1.ServerKey;
import org.securecomm.relay.support.FederatedClusters;
import org.securecomm.relay.support.TestDevice;

/**
 * A cluster rotates its signing key while it sends to another one: the receiver, which cached the
 * old description, meets an unknown key id, refetches the description once and goes on; requests
 * signed with the old key (still published until it expires) keep verifying. Every envelope sent
 * before, during and after the rotation arrives exactly once.
 */
class KeyRotationTest {

    private static final int MESSAGES = 60;

    @Test
    void trafficFlowsOnWhileTheSenderRotatesItsKey() throws Exception {
        try (FederatedClusters clusters = FederatedClusters.start(List.of("a.test", "b.test"), Map.of())) {
            FederatedClusters.Cluster a = clusters.cluster("a.test");
            FederatedClusters.Cluster b = clusters.cluster("b.test");
            TestDevice alice = TestDevice.register(a.node().clientUrl(), a.codes(), "alice-rotation@example.org", "alice");
            TestDevice bob = TestDevice.register(b.node().clientUrl(), b.codes(), "bob-rotation@example.org", "bob");
            try {
                String oldKeyId = keyIds(a).get(0);
                Thread sender = new Thread(() -> {
                    for (int i = 0; i < MESSAGES; i++) {
                        alice.send(bob.address, List.of(bob.deviceId), ("message " + i).getBytes(StandardCharsets.UTF_8));
                        sleep(50);
                    }
                }, "sender");
                sender.start();
                Set<String> received = new TreeSet<>();
                List<String> duplicates = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    if (i == MESSAGES / 3) {
                        Instant now = Instant.now();
                        a.node().federation().rotate(ServerKeyPair.generate("ed25519:a-test-2", now.minusSeconds(1),
                                now.plus(Duration.ofDays(30))));
                    }
                    Envelope envelope = bob.nextEnvelope(Duration.ofSeconds(30));
                    String text = envelope.getContent().toStringUtf8();
                    if (!received.add(text)) {
                        duplicates.add(text);
                    }
                    bob.acknowledge(envelope);
                }
                sender.join(30_000);
                assertEquals(MESSAGES, received.size(), "every message arrived");
                assertEquals(List.of(), duplicates, "none twice");

                // The new key signs; the old one is still published (and accepted) until it expires.
                List<String> published = keyIds(a);
                assertEquals("ed25519:a-test-2", published.get(0));
                assertTrue(published.contains(oldKeyId), "the replaced key stays published: " + published);
                // b met the new key id in a's requests and refetched a's description to verify them.
                List<String> knownAtB = b.node().federation().cachedPeer("a.test").orElseThrow().keys().stream()
                        .map(ServerKey::getKeyId).toList();
                assertTrue(knownAtB.contains("ed25519:a-test-2") && knownAtB.contains(oldKeyId), "b knows " + knownAtB);
            } finally {
                alice.close();
                bob.close();
            }
        }
    }

    private static List<String> keyIds(FederatedClusters.Cluster cluster) throws Exception {
        byte[] document = cluster.node().federation().wellKnownDocument();
        var description = org.securecomm.protocol.federation.v1.ServerDescription.parseFrom(
                org.securecomm.protocol.federation.v1.SignedServerDescription.parseFrom(document).getDescription());
        assertEquals(cluster.domain(), ServerDescriptions.verify(document, cluster.domain(), Instant.now()).domain());
        return description.getKeysList().stream().map(ServerKey::getKeyId).collect(Collectors.toList());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
