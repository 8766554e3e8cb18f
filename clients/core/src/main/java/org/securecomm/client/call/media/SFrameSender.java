package org.securecomm.client.call.media;

import java.security.SecureRandom;

/**
 * The sending side of one participant's media stream: its current {@link SenderKey}, the next CTR (starting at 0 for
 * each key, so a (KID, CTR) pair is never reused) and key rotation. A key is only ever used by this sender for
 * encryption; receivers hold it for decryption only. Thread-safe.
 */
public final class SFrameSender {

    private final SFrameCipherSuite suite;
    private final SecureRandom random;
    private SenderKey current;
    private SFrameKey key;
    private long nextCtr;

    public SFrameSender(SFrameCipherSuite suite, SecureRandom random, long firstKid) {
        this.suite = suite;
        this.random = random;
        install(SenderKey.generate(firstKid, random));
    }

    /** A sender with a fresh random key at KID 0. */
    public static SFrameSender create(SFrameCipherSuite suite) {
        return new SFrameSender(suite, new SecureRandom(), 0);
    }

    /** The key receivers need now: send it to each participant (and again on a resync request). */
    public synchronized SenderKey currentKey() {
        return current;
    }

    /**
     * Switches to a fresh random key with the next KID and returns it for distribution. Frames sent from now on use
     * it; receivers that see the new KID before the key reach them report {@link SFrameException.Reason#UNKNOWN_KEY_ID}.
     * Call on membership changes and at least every 5 minutes.
     */
    public synchronized SenderKey rotate() {
        install(SenderKey.generate(current.kid() + 1, random));
        return current;
    }

    public SFrameCipherSuite suite() {
        return suite;
    }

    public byte[] encrypt(byte[] plaintext) {
        return encrypt(new byte[0], plaintext);
    }

    /** Encrypts one frame; {@code metadata} is authenticated but not sent (the receiver must supply the same bytes). */
    public synchronized byte[] encrypt(byte[] metadata, byte[] plaintext) {
        if (nextCtr == -1L) {
            rotate();
        }
        return key.encrypt(nextCtr++, metadata, plaintext);
    }

    private void install(SenderKey next) {
        current = next;
        key = SFrameKey.derive(suite, next.kid(), next.baseKey());
        nextCtr = 0;
    }
}
