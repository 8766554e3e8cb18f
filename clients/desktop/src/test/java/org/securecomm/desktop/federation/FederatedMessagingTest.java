package org.securecomm.desktop.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.relay.support.FederatedClusters;

/**
 * Three independent clusters (own domain, Cassandra, server key, TLS certificate): accounts on
 * each message accounts on the others through their home relays only, with several devices per
 * account and recipients offline; every device ends with every message of its account exactly
 * once, and the encrypted delivery receipts come back across the boundary.
 */
class FederatedMessagingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static FederatedClusters clusters;

    @BeforeAll
    static void startClusters() {
        clusters = FederatedClusters.start(List.of("a.test", "b.test", "c.test"), Map.of());
    }

    @AfterAll
    static void stopClusters() {
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void accountsOfThreeClustersMessageEachOtherOnEveryDeviceExactlyOnce(@TempDir Path dir) throws Exception {
        SecureCommClient alice1 = TestClients.register(dir.resolve("alice1"), "alice", clusters.cluster("a.test"));
        SecureCommClient alice2 = TestClients.link(alice1, dir.resolve("alice2"), "alice laptop");
        SecureCommClient bob1 = TestClients.register(dir.resolve("bob1"), "bob", clusters.cluster("b.test"));
        SecureCommClient bob2 = TestClients.link(bob1, dir.resolve("bob2"), "bob laptop");
        SecureCommClient carol = TestClients.register(dir.resolve("carol"), "carol", clusters.cluster("c.test"));
        List<SecureCommClient> open = new ArrayList<>(List.of(alice1, alice2, bob1, bob2, carol));
        try {
            assertEquals("alice@a.test", alice1.address());
            assertEquals("bob@b.test", bob1.address());
            assertEquals("carol@c.test", carol.address());

            // online, both ways, from either device, across three clusters
            alice1.send(bob1.address(), "hello bob, from a");
            bob2.send(alice1.address(), "hi alice, from b");
            carol.send(alice1.address(), "hi alice, from c");
            carol.send(bob1.address(), "hi bob, from c");
            alice2.send(carol.address(), "hello carol, from alice's laptop");
            awaitTexts(List.of(alice1, alice2), 4);
            awaitTexts(List.of(bob1, bob2), 3);
            awaitTexts(List.of(carol), 3);

            // offline: bob's devices are closed while alice and carol send; both get everything later
            bob1.close();
            bob2.close();
            open.removeAll(List.of(bob1, bob2));
            alice1.send(bob1.address(), "offline one");
            carol.send(bob1.address(), "offline two");
            SecureCommClient bob1Again = TestClients.reopen(dir.resolve("bob1"));
            SecureCommClient bob2Again = TestClients.reopen(dir.resolve("bob2"));
            open.addAll(List.of(bob1Again, bob2Again));
            bob1Again.send(alice1.address(), "back online");
            awaitTexts(List.of(bob1Again, bob2Again), 6);
            awaitTexts(List.of(alice1, alice2), 6);

            assertEquals(counts("hello bob, from a", "hi alice, from b", "hi alice, from c", "hello carol, from alice's laptop",
                    "offline one", "back online"), counts(alice1), "alice's first device");
            assertEquals(counts(alice1), counts(alice2), "alice's laptop");
            assertEquals(counts("hello bob, from a", "hi alice, from b", "hi bob, from c", "offline one", "offline two",
                    "back online"), counts(bob1Again), "bob's first device");
            assertEquals(counts(bob1Again), counts(bob2Again), "bob's laptop");
            assertEquals(counts("hi alice, from c", "hi bob, from c", "hello carol, from alice's laptop", "offline two"),
                    counts(carol), "carol");
            for (StoredMessage message : alice1.allMessages()) {
                assertEquals(message.sender().equals(alice1.address()), message.outgoing());
            }
            // the encrypted delivery receipts of the other clusters' devices came back
            TestClients.await("delivery receipts at alice", WAIT, () -> alice1.allMessages().stream()
                    .filter(StoredMessage::outgoing).allMatch(StoredMessage::delivered));
            TestClients.await("delivery receipts at carol", WAIT, () -> carol.allMessages().stream()
                    .filter(StoredMessage::outgoing).allMatch(StoredMessage::delivered));
        } finally {
            open.forEach(SecureCommClient::close);
        }
    }

    @Test
    void unknownRemoteAccountsAreReportedToTheSender(@TempDir Path dir) {
        SecureCommClient dave = TestClients.register(dir.resolve("dave"), "dave", clusters.cluster("a.test"));
        try {
            RuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> dave.send("nobody@b.test", "hello?"));
            assertTrue(String.valueOf(refused.getMessage()).contains("nobody@b.test"), refused.getMessage());
            RuntimeException unknownDomain = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> dave.send("someone@unknown-domain.test", "hello?"));
            assertTrue(String.valueOf(unknownDomain.getMessage()).contains("unknown-domain.test"), unknownDomain.getMessage());
        } finally {
            dave.close();
        }
    }

    private static Map<String, Long> counts(String... texts) {
        Map<String, Long> counts = new TreeMap<>();
        for (String text : texts) {
            counts.merge(text, 1L, Long::sum);
        }
        return counts;
    }

    private static Map<String, Long> counts(SecureCommClient device) {
        return new TreeMap<>(device.allMessages().stream().collect(Collectors.groupingBy(StoredMessage::text, Collectors.counting())));
    }

    private static void awaitTexts(List<SecureCommClient> devices, int count) throws InterruptedException {
        for (SecureCommClient device : devices) {
            TestClients.await(count + " messages on " + device.address() + "/" + device.deviceId(), WAIT,
                    () -> device.allMessages().size() >= count);
        }
    }
}
