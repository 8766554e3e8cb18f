package org.securecomm.client.call.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Sender and receiver contexts: round trip, tampering, wrong key, replay, unknown KID and rotation with grace. */
class SFrameSessionTest {

    private static final SFrameCipherSuite SUITE = SFrameCipherSuite.AES_128_GCM_SHA256_128;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
    private final InstantSource clock = now::get;

    private static byte[] frame(int i) {
        return ("opus frame " + i).getBytes(StandardCharsets.UTF_8);
    }

    private SFrameReceiver receiverFor(SFrameSender sender) {
        SFrameReceiver receiver = new SFrameReceiver(sender.suite(), Duration.ofSeconds(2), 64, clock);
        receiver.addKey(sender.currentKey());
        return receiver;
    }

    private static SFrameException.Reason failure(SFrameReceiver receiver, byte[] metadata, byte[] frame) {
        return assertThrows(SFrameException.class, () -> receiver.decrypt(metadata, frame)).reason();
    }

    @ParameterizedTest
    @EnumSource(SFrameCipherSuite.class)
    void roundTripWithIncreasingCounters(SFrameCipherSuite suite) throws SFrameException {
        SFrameSender sender = SFrameSender.create(suite);
        SFrameReceiver receiver = receiverFor(sender);
        for (int i = 0; i < 20; i++) {
            byte[] encrypted = sender.encrypt(frame(i));
            assertEquals(new SFrameHeader(0, i), SFrameHeader.decode(encrypted));
            assertEquals(new SFrameHeader(0, i).encodedLength() + frame(i).length + 16, encrypted.length);
            assertArrayEquals(frame(i), receiver.decrypt(encrypted));
        }
    }

    @Test
    void tamperedHeaderCiphertextTagOrMetadataFailAndDoNotPoisonTheWindow() throws SFrameException {
        SFrameSender sender = SFrameSender.create(SUITE);
        SFrameReceiver receiver = receiverFor(sender);
        byte[] metadata = {1, 2, 3};
        for (int i = 0; i < 3; i++) {
            sender.encrypt(metadata, frame(i));
        }
        byte[] genuine = sender.encrypt(metadata, frame(3));
        assertEquals(0x03, genuine[0], "KID 0, CTR 3 fits the config byte");

        byte[] header = genuine.clone();
        header[0] = 0x04; // claims CTR 4
        byte[] body = genuine.clone();
        body[2] ^= 0x01;
        byte[] tag = genuine.clone();
        tag[tag.length - 1] ^= (byte) 0x80;
        assertEquals(SFrameException.Reason.AUTHENTICATION_FAILED, failure(receiver, metadata, header));
        assertEquals(SFrameException.Reason.AUTHENTICATION_FAILED, failure(receiver, metadata, body));
        assertEquals(SFrameException.Reason.AUTHENTICATION_FAILED, failure(receiver, metadata, tag));
        assertEquals(SFrameException.Reason.AUTHENTICATION_FAILED, failure(receiver, new byte[] {1, 2, 4}, genuine));
        assertEquals(SFrameException.Reason.MALFORMED, failure(receiver, metadata, new byte[] {0x03, 1, 2}));

        assertArrayEquals(frame(3), receiver.decrypt(metadata, genuine));
        assertArrayEquals(frame(4), receiver.decrypt(metadata, sender.encrypt(metadata, frame(4))));
    }

    @Test
    void wrongKeyFailsAuthentication() {
        SFrameSender sender = SFrameSender.create(SUITE);
        SFrameReceiver receiver = new SFrameReceiver(SUITE);
        receiver.addKey(SenderKey.generate(0, new SecureRandom())); // same KID, other secret
        assertEquals(SFrameException.Reason.AUTHENTICATION_FAILED, failure(receiver, new byte[0], sender.encrypt(frame(0))));

        SFrameReceiver otherSuite = new SFrameReceiver(SFrameCipherSuite.AES_256_GCM_SHA512_128);
        otherSuite.addKey(sender.currentKey());
        assertEquals(SFrameException.Reason.AUTHENTICATION_FAILED, failure(otherSuite, new byte[0], sender.encrypt(frame(1))));
    }

    @Test
    void replaysAreRejectedButReorderingWithinTheWindowIsNot() throws SFrameException {
        SFrameSender sender = SFrameSender.create(SUITE);
        SFrameReceiver receiver = receiverFor(sender);
        byte[][] sent = new byte[100][];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = sender.encrypt(frame(i));
        }
        assertArrayEquals(frame(5), receiver.decrypt(sent[5]));
        assertEquals(SFrameException.Reason.REPLAYED, failure(receiver, new byte[0], sent[5]));
        assertArrayEquals(frame(2), receiver.decrypt(sent[2]), "late but inside the window");
        assertEquals(SFrameException.Reason.REPLAYED, failure(receiver, new byte[0], sent[2]));
        assertArrayEquals(frame(99), receiver.decrypt(sent[99]));
        assertEquals(SFrameException.Reason.REPLAYED, failure(receiver, new byte[0], sent[10]), "older than 64 counters");
        assertArrayEquals(frame(40), receiver.decrypt(sent[40]), "within 64 of the newest");
    }

    @Test
    void replayWindowSlidesAndForgetsOnlyWhatFellOut() {
        ReplayWindow window = new ReplayWindow(64);
        window.accept(0);
        window.accept(63);
        assertEquals(false, window.isFresh(0));
        window.accept(64);
        assertEquals(false, window.isFresh(0), "0 fell out of the window: too old");
        assertEquals(true, window.isFresh(1));
        window.accept(1000);
        assertEquals(false, window.isFresh(64));
        assertEquals(true, window.isFresh(999));
        assertEquals(false, window.isFresh(1000));
        window.accept(-1L); // largest unsigned counter
        assertEquals(false, window.isFresh(1001));
        assertThrows(IllegalArgumentException.class, () -> new ReplayWindow(100));
    }

    @Test
    void unknownKidIsReportedAndDecryptsOnceTheKeyArrives() throws SFrameException {
        SFrameSender sender = new SFrameSender(SUITE, new SecureRandom(), 300);
        SFrameReceiver receiver = new SFrameReceiver(SUITE, Duration.ofSeconds(2), 64, clock);
        byte[] encrypted = sender.encrypt(frame(0));
        SFrameException e = assertThrows(SFrameException.class, () -> receiver.decrypt(encrypted));
        assertEquals(SFrameException.Reason.UNKNOWN_KEY_ID, e.reason());
        assertEquals(300, e.keyId(), "the caller asks the sender for KID 300");

        receiver.addKey(sender.currentKey()); // resync answer
        assertArrayEquals(frame(0), receiver.decrypt(encrypted));
    }

    @Test
    void rotationKeepsTheOldKeyForTheGracePeriodOnly() throws SFrameException {
        SFrameSender sender = SFrameSender.create(SUITE);
        SFrameReceiver receiver = receiverFor(sender);
        SenderKey first = sender.currentKey();
        byte[] oldInFlight = sender.encrypt(frame(0));
        byte[] oldLate = sender.encrypt(frame(1));

        SenderKey second = sender.rotate();
        assertEquals(first.kid() + 1, second.kid());
        assertNotEquals(first, second);
        byte[] fresh = sender.encrypt(frame(2));
        assertEquals(new SFrameHeader(1, 0), SFrameHeader.decode(fresh), "new key starts at CTR 0");
        assertEquals(SFrameException.Reason.UNKNOWN_KEY_ID, failure(receiver, new byte[0], fresh), "key not there yet");

        receiver.addKey(second);
        receiver.addKey(first); // a late resync answer must not demote the current key
        assertEquals(Set.of(0L, 1L), receiver.keyIds());
        assertArrayEquals(frame(2), receiver.decrypt(fresh));
        now.set(now.get().plusMillis(1500));
        assertArrayEquals(frame(0), receiver.decrypt(oldInFlight), "old key within the grace period");

        now.set(now.get().plusMillis(500));
        assertEquals(SFrameException.Reason.UNKNOWN_KEY_ID, failure(receiver, new byte[0], oldLate), "grace is over");
        assertEquals(Set.of(1L), receiver.keyIds());
        assertArrayEquals(frame(3), receiver.decrypt(sender.encrypt(frame(3))));
    }

    @Test
    void senderKeyHidesItsSecret() {
        SenderKey key = SenderKey.generate(7, new SecureRandom());
        assertEquals(32, key.baseKey().length);
        assertEquals("SenderKey[kid=7]", key.toString());
        assertEquals(key, new SenderKey(7, key.baseKey()));
    }
}
