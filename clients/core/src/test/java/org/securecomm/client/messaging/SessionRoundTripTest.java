package org.securecomm.client.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.account.PreKeys;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.PreKeyBundles;
import org.securecomm.protocol.client.v1.UploadKeys;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.UntrustedIdentityException;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;

/** PQXDH + Double Ratchet between two profile-backed stores, keys exactly as they would be uploaded. */
class SessionRoundTripTest {

    @Test
    void sessionsRoundTripAndSurviveReopeningTheProfile(@TempDir Path dir) throws Exception {
        try (ProfileStore aliceDb = ProfileStore.create(dir.resolve("alice"), "a".toCharArray(), 1024, 1);
             ProfileStore bobDb = ProfileStore.create(dir.resolve("bob"), "b".toCharArray(), 1024, 1)) {
            ProtocolStore alice = store(aliceDb, "alice@relay.test", 11);
            ProtocolStore bob = store(bobDb, "bob@relay.test", 22);
            UploadKeys bobKeys = new PreKeys(bobDb, bob, Clock.systemUTC(), PreKeys.DEFAULT_ROTATION).initialUpload();
            assertEquals(PreKeys.BATCH, bobKeys.getOneTimePreKeysCount());
            assertEquals(PreKeys.BATCH, bobKeys.getKyberPreKeysCount());

            SignalProtocolAddress bobAddress = new SignalProtocolAddress("bob@relay.test", 1);
            SignalProtocolAddress aliceAddress = new SignalProtocolAddress("alice@relay.test", 1);
            new SessionBuilder(alice, alice, alice, alice, bobAddress).process(Bundles.toLibsignal(bundle(bobKeys), bundle(bobKeys).getDevices(0)));
            CiphertextMessage first = new SessionCipher(alice, alice, alice, alice, alice, bobAddress).encrypt(utf8("hello bob"));
            assertEquals(CiphertextMessage.PREKEY_TYPE, first.getType());
            int oneTimeBefore = bob.oneTimePreKeyCount();
            byte[] plaintext = new SessionCipher(bob, bob, bob, bob, bob, aliceAddress).decrypt(new PreKeySignalMessage(first.serialize()));
            assertEquals("hello bob", new String(plaintext, StandardCharsets.UTF_8));
            assertEquals(oneTimeBefore - 1, bob.oneTimePreKeyCount(), "the one-time EC prekey is used up");
            assertFalse(bob.containsKyberPreKey(bobKeys.getKyberPreKeys(0).getKeyId()), "the one-time Kyber prekey is used up");

            CiphertextMessage reply = new SessionCipher(bob, bob, bob, bob, bob, aliceAddress).encrypt(utf8("hi alice"));
            assertEquals(CiphertextMessage.WHISPER_TYPE, reply.getType());
            assertArrayEquals(utf8("hi alice"),
                    new SessionCipher(alice, alice, alice, alice, alice, bobAddress).decrypt(new SignalMessage(reply.serialize())));
        }
        // the ratchet state was persisted (sealed) and continues after reopening both profiles
        try (ProfileStore aliceDb = ProfileStore.open(dir.resolve("alice"), "a".toCharArray());
             ProfileStore bobDb = ProfileStore.open(dir.resolve("bob"), "b".toCharArray())) {
            ProtocolStore alice = new ProtocolStore(aliceDb, Clock.systemUTC());
            ProtocolStore bob = new ProtocolStore(bobDb, Clock.systemUTC());
            SignalProtocolAddress bobAddress = new SignalProtocolAddress("bob@relay.test", 1);
            CiphertextMessage again = new SessionCipher(alice, alice, alice, alice, alice, bobAddress).encrypt(utf8("again"));
            assertArrayEquals(utf8("again"), new SessionCipher(bob, bob, bob, bob, bob, new SignalProtocolAddress("alice@relay.test", 1))
                    .decrypt(new SignalMessage(again.serialize())));
        }
    }

    @Test
    void aChangedIdentityBlocksSendingUntilAccepted(@TempDir Path dir) throws Exception {
        try (ProfileStore aliceDb = ProfileStore.create(dir.resolve("alice"), "a".toCharArray(), 1024, 1);
             ProfileStore bobDb = ProfileStore.create(dir.resolve("bob"), "b".toCharArray(), 1024, 1);
             ProfileStore newBobDb = ProfileStore.create(dir.resolve("bob2"), "b".toCharArray(), 1024, 1)) {
            ProtocolStore alice = store(aliceDb, "alice@relay.test", 11);
            SignalProtocolAddress bobAddress = new SignalProtocolAddress("bob@relay.test", 1);
            UploadKeys oldKeys = new PreKeys(bobDb, store(bobDb, "bob@relay.test", 22), Clock.systemUTC(), PreKeys.DEFAULT_ROTATION).initialUpload();
            new SessionBuilder(alice, alice, alice, alice, bobAddress).process(Bundles.toLibsignal(bundle(oldKeys), bundle(oldKeys).getDevices(0)));
            alice.setVerified("bob@relay.test", true);

            UploadKeys newKeys = new PreKeys(newBobDb, store(newBobDb, "bob@relay.test", 33), Clock.systemUTC(), PreKeys.DEFAULT_ROTATION).initialUpload();
            assertThrows(UntrustedIdentityException.class, () -> new SessionBuilder(alice, alice, alice, alice, bobAddress)
                    .process(Bundles.toLibsignal(bundle(newKeys), bundle(newKeys).getDevices(0))));
            var changed = alice.trustedIdentity("bob@relay.test").orElseThrow();
            assertTrue(changed.changed());
            assertFalse(changed.verified());
            assertTrue(alice.sessionDevices("bob@relay.test").isEmpty(), "sessions with the old key are gone");

            alice.acceptIdentity("bob@relay.test");
            new SessionBuilder(alice, alice, alice, alice, bobAddress).process(Bundles.toLibsignal(bundle(newKeys), bundle(newKeys).getDevices(0)));
            assertTrue(alice.containsSession(bobAddress));
        }
    }

    @Test
    void theSignedPrekeyRotatesWeekly(@TempDir Path dir) {
        MutableClock clock = new MutableClock();
        try (ProfileStore db = ProfileStore.create(dir.resolve("p"), "p".toCharArray(), 1024, 1)) {
            ProtocolStore protocol = store(db, "p@relay.test", 5);
            PreKeys preKeys = new PreKeys(db, protocol, clock, PreKeys.DEFAULT_ROTATION);
            preKeys.initialUpload();
            int first = preKeys.currentSignedPreKeyId();
            clock.advance(Duration.ofDays(6));
            assertTrue(preKeys.rotateIfDue().isEmpty());
            clock.advance(Duration.ofDays(2));
            UploadKeys rotated = preKeys.rotateIfDue().orElseThrow();
            assertTrue(rotated.hasSignedPreKey() && rotated.hasLastResortKyberPreKey());
            assertTrue(preKeys.currentSignedPreKeyId() != first);
            assertTrue(protocol.containsSignedPreKey(first), "the old key keeps decrypting during the grace period");
            clock.advance(PreKeys.GRACE.plusDays(8));
            preKeys.rotateIfDue().orElseThrow();
            assertFalse(protocol.containsSignedPreKey(first), "and is deleted after it");
        }
    }

    private static ProtocolStore store(ProfileStore db, String address, int registrationId) {
        ProtocolStore store = new ProtocolStore(db, Clock.systemUTC());
        store.setLocalIdentity(IdentityKeyPair.generate(), registrationId, address);
        return store;
    }

    /** What the relay would answer for the uploaded keys (first one-time key of each kind claimed). */
    private static PreKeyBundles bundle(UploadKeys keys) {
        return PreKeyBundles.newBuilder().setAddress("x").setIdentityKey(keys.getIdentityKey())
                .addDevices(DevicePreKeyBundle.newBuilder().setDeviceId(1).setRegistrationId(22)
                        .setSignedPreKey(keys.getSignedPreKey()).setOneTimePreKey(keys.getOneTimePreKeys(0))
                        .setKyberPreKey(keys.getKyberPreKeys(0)))
                .build();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
