package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.Contact;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.GetPreKeyBundles;
import org.securecomm.relay.support.TestDevice;

/**
 * SDK features end to end, through a real relay on a real Cassandra: read receipts and read-state
 * sync, disappearing messages, one-time prekey replenishment, and contact management.
 */
class ClientFeaturesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void readingAMessageTellsTheSenderAndTheReadersOtherDevices(@TempDir Path dir) throws Exception {
        try (SecureCommClient alice = TestClients.register(dir.resolve("alice"), "heidi");
             SecureCommClient bob1 = TestClients.register(dir.resolve("bob1"), "ivan");
             SecureCommClient bob2 = TestClients.link(bob1, dir.resolve("bob2"), "ivan laptop")) {
            StoredMessage sent = alice.send(bob1.address(), "read me");
            assertFalse(stored(alice, sent).orElseThrow().read(), "not read by anyone yet");
            awaitText(bob1, "read me");
            awaitText(bob2, "read me");
            // the delivery receipt alone must not count as read
            TestClients.await("delivery receipt", WAIT, () -> stored(alice, sent).map(StoredMessage::delivered).orElse(false));
            assertFalse(stored(alice, sent).orElseThrow().read());
            assertFalse(stored(bob2, sent).orElseThrow().read());

            assertEquals(1, bob1.markRead(alice.address()));
            assertTrue(stored(bob1, sent).orElseThrow().read());
            assertEquals(0, bob1.markRead(alice.address()), "already read");

            TestClients.await("read receipt at the sender", WAIT, () -> stored(alice, sent).map(StoredMessage::read).orElse(false));
            TestClients.await("read state synced to bob's other device", WAIT,
                    () -> stored(bob2, sent).map(StoredMessage::read).orElse(false));
            assertEquals(0, bob2.markRead(alice.address()), "nothing left unread on the other device");
        }
    }

    @Test
    void disappearingMessagesAreDeletedOnBothSidesAfterTheTimer(@TempDir Path dir) throws Exception {
        try (SecureCommClient alice = TestClients.register(dir.resolve("alice"), "judy");
             SecureCommClient bob = TestClients.register(dir.resolve("bob"), "ken")) {
            StoredMessage kept = alice.send(bob.address(), "stays");
            awaitText(bob, "stays");

            alice.setExpireTimer(bob.address(), 1);
            TestClients.await("timer update at bob", WAIT, () -> bob.contacts().stream()
                    .anyMatch(c -> c.address().equals(alice.address()) && c.expireTimerSeconds() == 1));
            StoredMessage vanishing = alice.send(bob.address(), "vanishes");
            assertEquals(1, vanishing.expireTimerSeconds());
            assertEquals(vanishing.sentAt() + 1000L, vanishing.expiresAt());
            awaitText(bob, "vanishes");
            StoredMessage received = stored(bob, vanishing).orElseThrow();
            assertEquals(1, received.expireTimerSeconds());
            assertNull(received.expiresAt(), "an incoming message starts its timer when read");

            // sender side: gone about a second after sending
            TestClients.await("deletion at the sender", Duration.ofSeconds(10), () -> stored(alice, vanishing).isEmpty());
            // receiver side: still there until read, then gone after the timer
            assertTrue(stored(bob, vanishing).isPresent(), "unread incoming message must not expire");
            bob.markRead(alice.address());
            assertNotNull(stored(bob, vanishing).orElse(received).expiresAt());
            TestClients.await("deletion at the receiver", Duration.ofSeconds(10), () -> stored(bob, vanishing).isEmpty());

            // messages from before the timer stay on both sides
            assertTrue(stored(alice, kept).isPresent());
            assertTrue(stored(bob, kept).isPresent());
        }
    }

    @Test
    void aDeviceUploadsMoreOneTimePreKeysWhenTheRelaySaysItsStockIsLow(@TempDir Path dir) throws Exception {
        String url = TestClients.sharedRelay().clientUrl();
        try (SecureCommClient bob = TestClients.register(dir.resolve("bob"), "liam");
             TestDevice fetcher = TestDevice.register(url, TestClients.CODES, "mallory-fetcher@example.org", "mallory")) {
            // registration uploaded 100 one-time keys of each kind; claim them all and then some
            Set<Integer> oneTimeIds = new HashSet<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (oneTimeIds.size() <= 100) {
                assertTrue(System.nanoTime() < deadline,
                        "no one-time prekeys beyond the first batch: claimed " + oneTimeIds.size() + " distinct keys");
                DevicePreKeyBundle bundle = claim(fetcher, bob);
                if (bundle.hasOneTimePreKey()) {
                    assertTrue(oneTimeIds.add(bundle.getOneTimePreKey().getKeyId()), "a one-time key was handed out twice");
                } else {
                    Thread.sleep(50); // stock empty: give the device time to answer PreKeyStockLow
                }
            }
            // the replenished stock is well above the relay's low-stock threshold (10)
            Set<Integer> kyberIds = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                DevicePreKeyBundle bundle = claim(fetcher, bob);
                assertTrue(bundle.hasOneTimePreKey(), "claim " + i + " after replenishment has no one-time EC key");
                assertTrue(oneTimeIds.add(bundle.getOneTimePreKey().getKeyId()));
                kyberIds.add(bundle.getKyberPreKey().getKeyId());
            }
            assertEquals(20, kyberIds.size(), "one-time Kyber keys, not the repeated last-resort key");

            // and the replenished keys work: a new session from a claimed bundle carries a message
            try (SecureCommClient alice = TestClients.register(dir.resolve("alice"), "mia")) {
                alice.send(bob.address(), "after replenishment");
                awaitText(bob, "after replenishment");
            }
        }
    }

    @Test
    void contactsCanBeAddedByPhoneNumberRenamedAndRemoved(@TempDir Path dir) throws Exception {
        String phone = "+1555" + (1_000_000 + ThreadLocalRandom.current().nextInt(8_999_999));
        URI server = URI.create(TestClients.sharedRelay().clientUrl());
        try (SecureCommClient alice1 = TestClients.register(dir.resolve("alice1"), "nora");
             SecureCommClient alice2 = TestClients.link(alice1, dir.resolve("alice2"), "nora laptop");
             SecureCommClient bob = SecureCommClient.register(dir.resolve("bob"), TestClients.PASSPHRASE, TestClients.options(), server,
                     "oscar", phone, "oscar's phone", () -> TestClients.CODES.codeFor(phone))) {
            Contact added = alice1.addContact(phone, "Oscar");
            assertEquals(bob.address(), added.address(), "the phone number resolved to oscar's address");
            assertEquals("Oscar", added.name());
            assertTrue(alice1.identity(bob.address()).isPresent(), "adding starts a session and learns the identity key");
            TestClients.await("contact sync", WAIT, () -> names(alice2).equals(List.of("Oscar")));

            assertTrue(alice1.renameContact(bob.address(), "Oscar W."));
            assertEquals(List.of("Oscar W."), names(alice1));
            TestClients.await("rename synced", WAIT, () -> names(alice2).equals(List.of("Oscar W.")));
            assertFalse(alice1.renameContact("nobody@" + bob.address().split("@")[1], "Nobody"));

            assertTrue(alice1.removeContact(bob.address()));
            assertTrue(alice1.contacts().isEmpty());
            assertFalse(alice1.removeContact(bob.address()), "already removed");
            TestClients.await("removal synced", WAIT, () -> alice2.contacts().isEmpty());
        }
    }

    private static DevicePreKeyBundle claim(TestDevice fetcher, SecureCommClient owner) {
        var bundles = fetcher.call(ClientMessage.newBuilder().setGetPreKeyBundles(GetPreKeyBundles.newBuilder()
                .setAddress(owner.address()).setDeviceId(owner.deviceId()))).getPreKeyBundles();
        assertEquals(1, bundles.getDevicesCount());
        return bundles.getDevices(0);
    }

    private static List<String> names(SecureCommClient device) {
        return device.contacts().stream().map(Contact::name).toList();
    }

    private static Optional<StoredMessage> stored(SecureCommClient device, StoredMessage message) {
        return device.allMessages().stream().filter(m -> m.idHex().equals(message.idHex())).findFirst();
    }

    private static void awaitText(SecureCommClient device, String text) throws InterruptedException {
        TestClients.await("'" + text + "' on " + device.address() + "/" + device.deviceId(), WAIT,
                () -> device.allMessages().stream().anyMatch(m -> m.text().equals(text)));
    }
}
