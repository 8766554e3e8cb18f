package org.securecomm.relay.account;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.securecomm.protocol.Identifiers;

/**
 * Keys identifier hashes with the relay's secret (HMAC-SHA256 over the client hash). What reaches
 * storage is this keyed hash only, so a leaked database cannot be matched against a phone book
 * without also stealing the key.
 */
public final class IdentifierHasher {

    private final SecretKeySpec key;

    public IdentifierHasher(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the identifier HMAC key must be at least 32 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /** Entity key for a raw identifier (normalized first). */
    public String keyForIdentifier(String identifier) {
        return keyForClientHash(Identifiers.clientHash(Identifiers.normalize(identifier)));
    }

    /** Entity key for a client-computed {@link Identifiers#clientHash}. */
    public String keyForClientHash(byte[] clientHash) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(clientHash));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
