package org.securecomm.desktop.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.relay.federation.outbound.PeerStatus;
import org.securecomm.relay.support.FederatedClusters;

/**
 * A peer cluster is down while messages for it are sent, and the sending cluster's node restarts
 * meanwhile: when the peer is back, everything queued for it arrives, in order, once, and the
 * sending cluster's queue for it is empty.
 */
class FederationOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int WHILE_DOWN = 12;

    @Test
    void aPeerThatWasDownGetsEverythingInOrderOnceEvenAfterTheSenderRestarted(@TempDir Path dir) throws Exception {
        // A short delivery wait: sends to the unreachable peer are answered "queued" quickly.
        try (FederatedClusters clusters = FederatedClusters.start(List.of("a.test", "b.test"),
                Map.of("securecomm.federation.delivery-wait", "300ms"))) {
            FederatedClusters.Cluster a = clusters.cluster("a.test");
            FederatedClusters.Cluster b = clusters.cluster("b.test");
            SecureCommClient alice = TestClients.register(dir.resolve("alice"), "alice", a);
            SecureCommClient bob = TestClients.register(dir.resolve("bob"), "bob", b);
            List<SecureCommClient> open = new ArrayList<>(List.of(alice, bob));
            try {
                alice.send(bob.address(), "before the outage");
                TestClients.await("the first message at bob", WAIT, () -> bob.allMessages().size() == 1);
                bob.close();
                open.remove(bob);

                b.stop();
                List<String> sent = IntStream.rangeClosed(1, WHILE_DOWN).mapToObj(i -> "while b is down #" + i).toList();
                for (String text : sent.subList(0, WHILE_DOWN / 2)) {
                    alice.send(bob.address(), text);
                }
                // The sending cluster's node restarts with half of the messages queued; the queue is in Cassandra.
                a.stop();
                a.start();
                for (String text : sent.subList(WHILE_DOWN / 2, WHILE_DOWN)) {
                    sendRetryingWhileReconnecting(alice, bob.address(), text);
                }
                PeerStatus queued = a.node().federation().peerStatus("b.test").toCompletableFuture().join();
                assertEquals(WHILE_DOWN, queued.depth(), "everything sent while b was down is queued at a");

                b.start();
                SecureCommClient bobAgain = TestClients.reopen(dir.resolve("bob"));
                open.add(bobAgain);
                TestClients.await("every message at bob", WAIT, () -> bobAgain.allMessages().size() >= 1 + WHILE_DOWN);
                Thread.sleep(1_000); // a duplicate would arrive within this
                List<String> expected = new ArrayList<>();
                expected.add("before the outage");
                expected.addAll(sent);
                assertEquals(expected, bobAgain.allMessages().stream().map(StoredMessage::text).toList(),
                        "in the order sent, each once");
                TestClients.await("a's queue for b drained", WAIT, () ->
                        a.node().federation().peerStatus("b.test").toCompletableFuture().join().depth() == 0);
            } finally {
                open.forEach(SecureCommClient::close);
            }
        }
    }

    /** Right after the restart the client may still be reconnecting: a send it could not make is retried. */
    private static void sendRetryingWhileReconnecting(SecureCommClient client, String to, String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                client.send(to, text);
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
