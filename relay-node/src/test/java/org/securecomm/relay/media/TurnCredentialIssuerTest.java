package org.securecomm.relay.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** coturn's use-auth-secret scheme, checked against values computed independently (Python hmac, openssl). */
class TurnCredentialIssuerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
    private static final List<String> URLS = List.of("turn:turn.example.org:3478?transport=udp");

    @Test
    void usernameIsExpiryAndKeyedIdPasswordIsHmacSha1OfIt() {
        var issuer = new TurnCredentialIssuer(new TurnCredentialIssuer.Settings(URLS, "s3cret", Duration.ofHours(1)), CLOCK);
        var credentials = issuer.issue("account-1");
        // expiry = 1,700,000,000 + 3,600; id = base64url(HMAC-SHA256("s3cret", "account-1")[0..12)).
        assertEquals("1700003600:ekiZ2RXNpT7Ni7_x", credentials.username());
        // base64(HMAC-SHA1("s3cret", username)), what coturn computes from its static-auth-secret.
        assertEquals("h49/PH42jL1cmonuMAFjqp/s4h0=", credentials.password());
        assertEquals(3600, credentials.ttlSeconds());
        assertEquals(URLS, credentials.urls());
        assertFalse(credentials.username().contains("account"), "the opaque id names no account");
        assertTrue(issuer.issue("account-2").username().startsWith("1700003600:"));
        assertFalse(issuer.issue("account-2").username().equals(credentials.username()));
    }

    @Test
    void withoutTurnServersNothingIsIssued() {
        var issuer = new TurnCredentialIssuer(new TurnCredentialIssuer.Settings(List.of(), "", Duration.ofHours(1)), CLOCK);
        var credentials = issuer.issue("account-1");
        assertEquals(List.of(), credentials.urls());
        assertEquals("", credentials.username());
        assertEquals("", credentials.password());
        assertEquals(0, credentials.ttlSeconds());
    }

    @Test
    void urlsNeedASecret() {
        assertThrows(IllegalArgumentException.class, () -> new TurnCredentialIssuer.Settings(URLS, "", Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> new TurnCredentialIssuer.Settings(URLS, "x", Duration.ofSeconds(5)));
    }
}
