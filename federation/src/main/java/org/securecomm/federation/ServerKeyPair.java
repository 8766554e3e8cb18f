package org.securecomm.federation;

import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.securecomm.protocol.federation.v1.ServerKey;

/**
 * This cluster's Ed25519 signing key with its id and validity. The private half is the 32-byte
 * RFC 8032 seed, which is what operators store (and back up); the validity travels with it so a
 * published key always says until when peers may accept it.
 */
public final class ServerKeyPair {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String keyId;
    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;
    private final Instant validFrom;
    private final Instant expiresAt;

    private ServerKeyPair(String keyId, Ed25519PrivateKeyParameters privateKey, Instant validFrom, Instant expiresAt) {
        this.keyId = KeyIds.requireValid(keyId);
        Objects.requireNonNull(validFrom, "validFrom");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!validFrom.isBefore(expiresAt)) {
            throw new IllegalArgumentException("a key must expire after it becomes valid");
        }
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
        // Millisecond precision is what the wire carries; truncating here keeps equality with a
        // key read back from a description.
        this.validFrom = Instant.ofEpochMilli(validFrom.toEpochMilli());
        this.expiresAt = Instant.ofEpochMilli(expiresAt.toEpochMilli());
    }

    /** A new random key. */
    public static ServerKeyPair generate(String keyId, Instant validFrom, Instant expiresAt) {
        return new ServerKeyPair(keyId, new Ed25519PrivateKeyParameters(RANDOM), validFrom, expiresAt);
    }

    /** A key from its stored 32-byte seed. */
    public static ServerKeyPair fromSeed(String keyId, byte[] seed, Instant validFrom, Instant expiresAt) {
        Objects.requireNonNull(seed, "seed");
        if (seed.length != FederationSignatures.SEED_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
        }
        return new ServerKeyPair(keyId, new Ed25519PrivateKeyParameters(seed, 0), validFrom, expiresAt);
    }

    public String keyId() {
        return keyId;
    }

    /** The seed, for storing the key; never log it. */
    public byte[] seed() {
        return privateKey.getEncoded();
    }

    /** The 32-byte RFC 8032 public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public Instant validFrom() {
        return validFrom;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /** Whether this key may sign at {@code now}: in [validFrom, expiresAt). */
    public boolean isValidAt(Instant now) {
        return !now.isBefore(validFrom) && now.isBefore(expiresAt);
    }

    /**
     * Ed25519 signature over {@code context || 0x00 || message} (see {@link FederationSignatures}).
     */
    public byte[] sign(String context, byte[] message) {
        return FederationSignatures.sign(privateKey, context, message);
    }

    /**
     * Ed25519 signature over exactly {@code signingInput}: pass the output of
     * {@link FederationSignatures#signingInput}, never a bare message, or the signature loses its
     * context separation.
     */
    public byte[] sign(byte[] signingInput) {
        byte[] signature = new byte[FederationSignatures.SIGNATURE_BYTES];
        privateKey.sign(Ed25519.Algorithm.Ed25519, null, signingInput, 0, signingInput.length, signature, 0);
        return signature;
    }

    /** The public half as published in a server description. */
    public ServerKey toServerKey() {
        return ServerKey.newBuilder()
                .setKeyId(keyId)
                .setPublicKey(ByteString.copyFrom(publicKey))
                .setValidFromMillis(validFrom.toEpochMilli())
                .setExpiresAtMillis(expiresAt.toEpochMilli())
                .build();
    }

    @Override
    public String toString() {
        return "ServerKeyPair[" + keyId + ", " + validFrom + " .. " + expiresAt + "]";
    }
}
