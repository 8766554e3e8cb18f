package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.linking.LinkingException;
import org.securecomm.client.linking.NewDeviceLink;
import org.securecomm.client.messaging.IdentityChangedException;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.client.store.TrustedIdentity;
import org.securecomm.desktop.support.TestClients;

/** Session loss, identity changes and a refused link, against a real relay and real libsignal. */
class SessionResilienceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void messagesStillArriveAfterEitherSideLosesItsSession(@TempDir Path dir) throws Exception {
        try (SecureCommClient alice = TestClients.register(dir.resolve("alice"), "carol");
             SecureCommClient bob = TestClients.register(dir.resolve("bob"), "dave")) {
            alice.addContact(bob.address(), "Dave");
            alice.send(bob.address(), "before");
            awaitText(bob, "before");

            // the receiver loses its session: its decryption error makes the sender start over and resend
            bob.onWorker(() -> {
                bob.protocolStore().deleteAllSessions(alice.address());
                return null;
            });
            alice.send(bob.address(), "after the receiver lost its session");
            awaitText(bob, "after the receiver lost its session");
            bob.send(alice.address(), "reply on the new session");
            awaitText(alice, "reply on the new session");

            // the sender loses its session: it starts a new one from a fresh prekey bundle
            alice.onWorker(() -> {
                alice.protocolStore().deleteAllSessions(bob.address());
                return null;
            });
            alice.send(bob.address(), "after the sender lost its session");
            awaitText(bob, "after the sender lost its session");
            bob.send(alice.address(), "still fine");
            awaitText(alice, "still fine");

            assertEquals(List.of("before", "after the receiver lost its session", "after the sender lost its session"),
                    bob.conversation(alice.address()).stream().filter(m -> !m.outgoing()).map(StoredMessage::text).toList());
        }
    }

    @Test
    void aChangedIdentityIsDetectedAndBlocksSendingUntilAccepted(@TempDir Path dir) throws Exception {
        try (SecureCommClient alice = TestClients.register(dir.resolve("alice"), "erin")) {
            String bobAddress;
            try (SecureCommClient bob = TestClients.register(dir.resolve("bob"), "frank")) {
                bobAddress = bob.address();
                alice.addContact(bobAddress, "Frank");
                bob.addContact(alice.address(), "Erin");
                String number = bob.safetyNumbers(alice.address()).number();
                assertTrue(alice.verify(bobAddress, number), "both sides show the same safety number");
                assertTrue(alice.identity(bobAddress).orElseThrow().verified());
                alice.send(bobAddress, "hello frank");
                awaitText(bob, "hello frank");
            }
            // bob re-registers (new phone): same address, new identity key
            List<TrustedIdentity> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
            alice.onIdentityChange(warnings::add);
            try (SecureCommClient newBob = TestClients.register(dir.resolve("bob-new"), "frank")) {
                assertEquals(bobAddress, newBob.address());
                assertThrows(IdentityChangedException.class, () -> alice.send(bobAddress, "blocked"));
                TrustedIdentity changed = alice.identity(bobAddress).orElseThrow();
                assertTrue(changed.changed());
                assertFalse(changed.verified(), "a changed key loses the verified mark");
                assertFalse(changed.accepted());
                assertEquals(bobAddress, warnings.get(0).address(), "the user was warned");
                assertThrows(IdentityChangedException.class, () -> alice.send(bobAddress, "still blocked"));

                alice.acceptIdentity(bobAddress);
                alice.send(bobAddress, "accepted");
                awaitText(newBob, "accepted");
                assertEquals(List.of("accepted"), newBob.conversation(alice.address()).stream().map(StoredMessage::text).toList());
                assertEquals(newBob.safetyNumbers(alice.address()).number(), alice.safetyNumbers(bobAddress).number());
            }
        }
    }

    @Test
    void linkingRefusesAWrongConfirmationCode(@TempDir Path dir) throws Exception {
        try (SecureCommClient alice = TestClients.register(dir.resolve("alice"), "grace");
             NewDeviceLink newDevice = NewDeviceLink.open(alice.server(), null, Duration.ofSeconds(10))) {
            String link = newDevice.link().format();
            java.util.concurrent.CompletableFuture<String> shown = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> newDevice.awaitConfirmationCode(WAIT));
            LinkingException refused = assertThrows(LinkingException.class, () -> alice.linkDevice(link, "intruder", () -> {
                String code = shown.join();
                return String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000);
            }));
            assertTrue(refused.getMessage().contains("does not match"));
            assertThrows(LinkingException.class, () -> newDevice.awaitAccount(Duration.ofSeconds(2)), "the new device gets nothing");
            assertEquals(1, alice.devices().size(), "no device was added");
        }
    }

    private static void awaitText(SecureCommClient device, String text) throws InterruptedException {
        TestClients.await("'" + text + "' on " + device.address(), WAIT,
                () -> device.allMessages().stream().anyMatch(m -> m.text().equals(text) && !m.outgoing()));
    }
}
