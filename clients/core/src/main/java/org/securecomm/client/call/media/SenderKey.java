package org.securecomm.client.call.media;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * One SFrame base_key of a sender and its KID: what a sender distributes to the other participants over the pairwise
 * Signal sessions (or derives from the MLS exporter). KIDs of one sender grow by one at each rotation (the "key
 * generation" of RFC 9605 section 5.1, without ratchet bits). {@link #toString()} never shows the secret.
 */
public record SenderKey(long kid, byte[] baseKey) {

    /** Size of a generated base_key in bytes. */
    public static final int BASE_KEY_LENGTH = 32;

    public SenderKey {
        if (baseKey.length < 16) {
            throw new IllegalArgumentException("SFrame base key is too short: " + baseKey.length + " bytes");
        }
        baseKey = baseKey.clone();
    }

    /** A fresh random 32-byte base key. */
    public static SenderKey generate(long kid, SecureRandom random) {
        byte[] secret = new byte[BASE_KEY_LENGTH];
        random.nextBytes(secret);
        return new SenderKey(kid, secret);
    }

    @Override
    public byte[] baseKey() {
        return baseKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SenderKey that && kid == that.kid && MessageDigest.isEqual(baseKey, that.baseKey);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(kid) * 31 + Arrays.hashCode(baseKey);
    }

    @Override
    public String toString() {
        return "SenderKey[kid=" + Long.toUnsignedString(kid) + "]";
    }
}
