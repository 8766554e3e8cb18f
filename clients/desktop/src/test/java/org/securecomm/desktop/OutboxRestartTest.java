package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.ClientOptions;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.desktop.support.TestClients;

/**
 * A message sent while no relay answers is kept (pending) in the profile's outbox; the app stops;
 * when it starts again and connects, the outbox sends it, and the recipient shows it once.
 */
class OutboxRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSendThatGotNoAnswerIsResentAfterARestart(@TempDir Path dir) throws Exception {
        URI relay = URI.create(TestClients.sharedRelay().clientUrl());
        URI nobody = URI.create("ws://127.0.0.1:" + unusedPort() + "/v1/websocket");
        ClientOptions shortDeadline = TestClients.options().withSendDeadline(Duration.ofSeconds(2))
                .withReconnectBackoff(Duration.ofMillis(200), Duration.ofMillis(800));
        Path aliceProfile = dir.resolve("alice");
        try (SecureCommClient bob = TestClients.register(dir.resolve("bob"), "outbox-bob")) {
            String bobAddress = bob.address();
            StoredMessage pending;
            String aliceAddress;
            try (SecureCommClient alice = TestClients.register(aliceProfile, "outbox-alice")) {
                aliceAddress = alice.address();
                alice.addContact(bobAddress, "Bob");
                alice.send(bobAddress, "while the relay answers");
                awaitIncoming(bob, "while the relay answers");
                alice.setServers(List.of(nobody)); // the relay moved, say, and this device does not know yet
            }
            try (SecureCommClient alice = SecureCommClient.open(aliceProfile, TestClients.PASSPHRASE, shortDeadline)) {
                pending = alice.send(bobAddress, "while nobody answers");
                assertEquals(SecureCommClient.DeliveryState.PENDING, alice.deliveryState(pending), "no error for the app: pending");
                assertEquals(1, alice.conversation(bobAddress).stream().filter(m -> m.text().equals("while nobody answers")).count());
            }
            try (SecureCommClient alice = SecureCommClient.open(aliceProfile, TestClients.PASSPHRASE, shortDeadline)) {
                assertEquals(SecureCommClient.DeliveryState.PENDING, alice.deliveryState(pending), "still pending after the restart");
                alice.setServers(List.of(relay));
                alice.connect();
                StoredMessage message = pending;
                TestClients.await("the outbox sent it", WAIT, () -> alice.deliveryState(message) == SecureCommClient.DeliveryState.SENT);
                awaitIncoming(bob, "while nobody answers");
                alice.send(bobAddress, "after the restart");
                awaitIncoming(bob, "after the restart");
            }
            bob.drain();
            assertEquals(List.of("while the relay answers", "while nobody answers", "after the restart"),
                    bob.conversation(aliceAddress).stream().filter(m -> !m.outgoing()).map(StoredMessage::text).toList(),
                    "each message once, in the order sent");
        }
    }

    private static void awaitIncoming(SecureCommClient device, String text) throws InterruptedException {
        TestClients.await("'" + text + "' on " + device.address(), WAIT,
                () -> device.allMessages().stream().anyMatch(m -> !m.outgoing() && m.text().equals(text)));
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
