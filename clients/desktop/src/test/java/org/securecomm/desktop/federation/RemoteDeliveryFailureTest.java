package org.securecomm.desktop.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.messaging.DeliveryFailureNotice;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.support.FederatedClusters;

/**
 * A send to another cluster that the home relay answered "accepted" (here: it waits for no remote
 * verdict at all) and the other cluster then refused: the refusal comes back to the sending device
 * as a DELIVERY_FAILURE, the message is marked failed with the reason, and a resend (after the SDK
 * learned the recipient's new device from the report) reaches every device of the recipient.
 */
class RemoteDeliveryFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aLateRefusalReachesTheSenderWhichResendsToTheRightDevices(@TempDir Path dir) throws Exception {
        try (FederatedClusters clusters = FederatedClusters.start(List.of("a.test", "b.test"),
                Map.of("securecomm.federation.delivery-wait", "0s"))) {
            SecureCommClient alice = TestClients.register(dir.resolve("alice"), "alice", clusters.cluster("a.test"));
            SecureCommClient bob1 = TestClients.register(dir.resolve("bob1"), "bob", clusters.cluster("b.test"));
            List<SecureCommClient> open = new ArrayList<>(List.of(alice, bob1));
            try {
                alice.send(bob1.address(), "first");
                TestClients.await("the first message at bob", WAIT, () -> bob1.allMessages().size() == 1);

                // Bob links a device alice does not know of: her next send names one device too few.
                SecureCommClient bob2 = TestClients.link(bob1, dir.resolve("bob2"), "bob laptop");
                open.add(bob2);
                CompletableFuture<DeliveryFailureNotice> reported = new CompletableFuture<>();
                alice.onDeliveryFailure(reported::complete);
                StoredMessage sent = alice.send(bob1.address(), "second");

                DeliveryFailureNotice notice = reported.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(ErrorCode.MISMATCHED_DEVICES, notice.code());
                assertEquals(bob1.address(), notice.destination());
                assertNotNull(notice.message(), "the report names the stored message");
                assertEquals("second", notice.message().text());
                assertTrue(notice.message().failed());
                assertFalse(bob1.allMessages().stream().anyMatch(m -> m.text().equals("second")), "nothing was stored at b");

                StoredMessage resent = alice.resend(sent);
                assertFalse(resent.failed());
                for (SecureCommClient device : List.of(bob1, bob2)) {
                    TestClients.await("the resent message on bob's device " + device.deviceId(), WAIT,
                            () -> device.allMessages().stream().filter(m -> m.text().equals("second")).count() == 1);
                }
            } finally {
                open.forEach(SecureCommClient::close);
            }
        }
    }
}
