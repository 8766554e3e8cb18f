package org.securecomm.client.call.media;

/**
 * A frame that could not be decrypted. The frame must be discarded; for {@link Reason#UNKNOWN_KEY_ID} the caller
 * should ask the sender for its current key (resync) and may buffer the frame until it arrives.
 */
public final class SFrameException extends Exception {

    public enum Reason {
        /** The header or frame is truncated or not minimally encoded. */
        MALFORMED,
        /** No key (or only an expired one) is known for the frame's KID. */
        UNKNOWN_KEY_ID,
        /** The counter was already accepted for this KID, or is older than the replay window. */
        REPLAYED,
        /** AES-GCM rejected the tag: tampered header, metadata or ciphertext, or the wrong key. */
        AUTHENTICATION_FAILED
    }

    private final Reason reason;
    private final long keyId;

    SFrameException(Reason reason, long keyId, String message) {
        super(message);
        this.reason = reason;
        this.keyId = keyId;
    }

    public Reason reason() {
        return reason;
    }

    /** The KID of the frame (as an unsigned 64-bit value), or -1 when the header could not be parsed. */
    public long keyId() {
        return keyId;
    }
}
