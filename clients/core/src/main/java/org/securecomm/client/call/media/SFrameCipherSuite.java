package org.securecomm.client.call.media;

import java.util.function.Supplier;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/**
 * The SFrame cipher suites this client supports (RFC 9605 section 4.5, IANA ids of section 8.1). Both are AES-GCM
 * with a 12-byte nonce and a 16-byte tag; they differ in key size and in the hash used by HKDF.
 */
public enum SFrameCipherSuite {
    AES_128_GCM_SHA256_128(0x0004, 16, SHA256Digest::new),
    AES_256_GCM_SHA512_128(0x0005, 32, SHA512Digest::new);

    /** AEAD.Nn: nonce size in bytes. */
    public static final int NONCE_LENGTH = 12;
    /** AEAD.Nt: authentication tag size in bytes. */
    public static final int TAG_LENGTH = 16;

    private final int id;
    private final int keyLength;
    private final Supplier<Digest> digest;

    SFrameCipherSuite(int id, int keyLength, Supplier<Digest> digest) {
        this.id = id;
        this.keyLength = keyLength;
        this.digest = digest;
    }

    /** The 2-byte identifier from the IANA "SFrame Cipher Suites" registry. */
    public int id() {
        return id;
    }

    /** AEAD.Nk: AES key size in bytes. */
    public int keyLength() {
        return keyLength;
    }

    Digest newDigest() {
        return digest.get();
    }

    public static SFrameCipherSuite fromId(int id) {
        for (SFrameCipherSuite suite : values()) {
            if (suite.id == id) {
                return suite;
            }
        }
        throw new IllegalArgumentException("unsupported SFrame cipher suite 0x" + Integer.toHexString(id));
    }
}
