package org.securecomm.relay.media;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials in coturn's shared-secret scheme ({@code use-auth-secret},
 * "TURN REST API"): username {@code "<expiry unix seconds>:<opaque id>"}, password
 * {@code base64(HMAC-SHA1(secret, username))}. coturn checks both with the same secret and no
 * call back to the relay. The opaque id, base64url of the first 12 bytes of
 * HMAC-SHA256(secret, account id), is stable per account (for the TURN server's quotas) but names
 * no account to whoever reads the TURN server's logs.
 */
public final class TurnCredentialIssuer {

    /** {@code urls} empty: no TURN server is configured, and no credentials are issued. */
    public record Settings(List<String> urls, String secret, Duration ttl) {
        public Settings {
            urls = List.copyOf(urls);
            if (!urls.isEmpty() && secret.isEmpty()) {
                throw new IllegalArgumentException("securecomm.turn.secret (env SECURECOMM_TURN_SECRET) is required when"
                        + " securecomm.turn.urls is set: it is coturn's static-auth-secret");
            }
            if (ttl.toSeconds() < 60) {
                throw new IllegalArgumentException("securecomm.turn.ttl must be at least 1 minute");
            }
        }
    }

    public record Credentials(List<String> urls, String username, String password, long ttlSeconds) {
        static final Credentials NONE = new Credentials(List.of(), "", "", 0);
    }

    private static final int OPAQUE_ID_BYTES = 12;

    private final Settings settings;
    private final Clock clock;

    public TurnCredentialIssuer(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public boolean configured() {
        return !settings.urls().isEmpty();
    }

    /** Credentials valid for the configured ttl from now; without TURN configured, empty ones (no urls). */
    public Credentials issue(String accountId) {
        if (!configured()) {
            return Credentials.NONE;
        }
        long expiry = clock.instant().getEpochSecond() + settings.ttl().toSeconds();
        byte[] opaque = Arrays.copyOf(hmac("HmacSHA256", accountId), OPAQUE_ID_BYTES);
        String username = expiry + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(opaque);
        String password = Base64.getEncoder().encodeToString(hmac("HmacSHA1", username));
        return new Credentials(settings.urls(), username, password, settings.ttl().toSeconds());
    }

    private byte[] hmac(String algorithm, String message) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(settings.secret().getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
