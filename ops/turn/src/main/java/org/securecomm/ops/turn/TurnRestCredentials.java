package org.securecomm.ops.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials of coturn's {@code use-auth-secret} mode (the "TURN REST API"
 * draft): username {@code <expiry unix seconds>:<id>}, password base64(HMAC-SHA1(secret, username)).
 * The relay hands them to devices; coturn checks them with the same shared secret and refuses them
 * after the expiry.
 */
public record TurnRestCredentials(String username, String password, Instant expiry) {

    public TurnRestCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(expiry, "expiry");
    }

    /** Credentials for {@code id} (any opaque string without ':'; e.g. a device id) valid until {@code expiry}. */
    public static TurnRestCredentials issue(String secret, String id, Instant expiry) {
        Objects.requireNonNull(secret, "secret");
        if (id.indexOf(':') >= 0) {
            throw new IllegalArgumentException("the id must not contain ':' (it ends the expiry): " + id);
        }
        String username = expiry.getEpochSecond() + ":" + id;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] digest = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
            return new TurnRestCredentials(username, Base64.getEncoder().encodeToString(digest), expiry);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        // Never the password: toString ends up in logs.
        return "TurnRestCredentials[username=" + username + ", expiry=" + expiry + "]";
    }
}
