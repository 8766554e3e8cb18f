package org.securecomm.client.call.media;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The sframe_key and sframe_salt of one KID, derived from its base_key (RFC 9605 section 4.4.2), and the AEAD
 * operations of sections 4.4.3 and 4.4.4: nonce = sframe_salt XOR CTR (big-endian, 12 bytes), AAD = header +
 * metadata, output = header + AES-GCM(ciphertext + 16-byte tag). It holds no counter and no replay state: see
 * {@link SFrameSender} and {@link SFrameReceiver}.
 */
public final class SFrameKey {

    private static final byte[] KEY_LABEL = "SFrame 1.0 Secret key ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SALT_LABEL = "SFrame 1.0 Secret salt ".getBytes(StandardCharsets.US_ASCII);

    private final SFrameCipherSuite suite;
    private final long kid;
    private final SecretKeySpec key;
    private final byte[] salt;

    private SFrameKey(SFrameCipherSuite suite, long kid, byte[] key, byte[] salt) {
        this.suite = suite;
        this.kid = kid;
        this.key = new SecretKeySpec(key, "AES");
        this.salt = salt;
    }

    /**
     * derive_key_salt(KID, base_key): sframe_secret = HKDF-Extract("", base_key); sframe_key = HKDF-Expand(secret,
     * "SFrame 1.0 Secret key " + KID(8 bytes BE) + cipher_suite(2 bytes BE), Nk); sframe_salt likewise with
     * "SFrame 1.0 Secret salt " and Nn bytes. The hash is the suite's (SHA-256 or SHA-512).
     */
    public static SFrameKey derive(SFrameCipherSuite suite, long kid, byte[] baseKey) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(suite.newDigest());
        byte[] secret = hkdf.extractPRK(new byte[0], baseKey);
        byte[] key = expand(hkdf, secret, label(KEY_LABEL, kid, suite), suite.keyLength());
        byte[] salt = expand(hkdf, secret, label(SALT_LABEL, kid, suite), SFrameCipherSuite.NONCE_LENGTH);
        Arrays.fill(secret, (byte) 0);
        return new SFrameKey(suite, kid, key, salt);
    }

    public long kid() {
        return kid;
    }

    public SFrameCipherSuite suite() {
        return suite;
    }

    /** Encrypts one frame with the given counter; the caller guarantees each counter is used once. */
    public byte[] encrypt(long ctr, byte[] metadata, byte[] plaintext) {
        byte[] header = new SFrameHeader(kid, ctr).encode();
        try {
            Cipher gcm = cipher(Cipher.ENCRYPT_MODE, ctr, header, metadata);
            byte[] out = Arrays.copyOf(header, header.length + gcm.getOutputSize(plaintext.length));
            gcm.doFinal(plaintext, 0, plaintext.length, out, header.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /** Decrypts a frame whose header (already parsed by the caller) carries this key's KID. */
    public byte[] decrypt(SFrameHeader header, byte[] metadata, byte[] frame) throws SFrameException {
        int headerLength = header.encodedLength();
        if (header.kid() != kid || frame.length < headerLength + SFrameCipherSuite.TAG_LENGTH) {
            throw new SFrameException(SFrameException.Reason.MALFORMED, header.kid(), "frame does not fit this key");
        }
        try {
            Cipher gcm = cipher(Cipher.DECRYPT_MODE, header.ctr(), Arrays.copyOf(frame, headerLength), metadata);
            return gcm.doFinal(frame, headerLength, frame.length - headerLength);
        } catch (AEADBadTagException e) {
            throw new SFrameException(SFrameException.Reason.AUTHENTICATION_FAILED, kid, "SFrame authentication failed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    /** sframe_key, for known-answer tests. */
    byte[] keyBytes() {
        return key.getEncoded();
    }

    /** sframe_salt, for known-answer tests. */
    byte[] salt() {
        return salt.clone();
    }

    byte[] nonce(long ctr) {
        byte[] nonce = salt.clone();
        for (int i = 0; i < Long.BYTES; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (ctr >>> (8 * i));
        }
        return nonce;
    }

    private Cipher cipher(int mode, long ctr, byte[] header, byte[] metadata) throws GeneralSecurityException {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(mode, key, new GCMParameterSpec(SFrameCipherSuite.TAG_LENGTH * 8, nonce(ctr)));
        gcm.updateAAD(header);
        gcm.updateAAD(metadata);
        return gcm;
    }

    private static byte[] label(byte[] prefix, long kid, SFrameCipherSuite suite) {
        return ByteBuffer.allocate(prefix.length + Long.BYTES + Short.BYTES)
                .put(prefix).putLong(kid).putShort((short) suite.id()).array();
    }

    private static byte[] expand(HKDFBytesGenerator hkdf, byte[] secret, byte[] info, int length) {
        hkdf.init(HKDFParameters.skipExtractParameters(secret, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }
}
