package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.federation.v1.ServerKey;

class ServerKeyPairTest {

    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2027-01-01T00:00:00Z");

    @Test
    void matchesRfc8032TestVector1() {
        // RFC 8032, section 7.1, TEST 1: the empty message.
        ServerKeyPair key = ServerKeyPair.fromSeed("ed25519:rfc8032",
                Hex.parse("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"), FROM, UNTIL);
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Hex.of(key.publicKey()));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                Hex.of(key.sign(new byte[0])));
    }

    @Test
    void contextSignatureIsOverContextZeroMessage() {
        ServerKeyPair key = ServerKeyPair.generate("ed25519:a", FROM, UNTIL);
        byte[] message = {1, 2, 3};
        byte[] signature = key.sign(FederationSignatures.REQUEST_CONTEXT, message);
        assertArrayEquals(key.sign(FederationSignatures.signingInput(FederationSignatures.REQUEST_CONTEXT, message)), signature);
        assertTrue(FederationSignatures.verify(key.publicKey(), FederationSignatures.REQUEST_CONTEXT, message, signature));
        assertFalse(FederationSignatures.verify(key.publicKey(), FederationSignatures.DESCRIPTION_CONTEXT, message, signature),
                "a request signature must not verify as a description signature");
    }

    @Test
    void validatesKeyIds() {
        assertThrows(IllegalArgumentException.class, () -> ServerKeyPair.generate("a", FROM, UNTIL));
        assertThrows(IllegalArgumentException.class, () -> ServerKeyPair.generate("ed25519:", FROM, UNTIL));
        assertThrows(IllegalArgumentException.class, () -> ServerKeyPair.generate("ed25519:a b", FROM, UNTIL));
        assertThrows(IllegalArgumentException.class, () -> ServerKeyPair.generate("ed25519:" + "a".repeat(65), FROM, UNTIL));
        assertEquals("ed25519:" + "a".repeat(64), ServerKeyPair.generate("ed25519:" + "a".repeat(64), FROM, UNTIL).keyId());
        assertEquals("ed25519:Key_2026-01", ServerKeyPair.generate("ed25519:Key_2026-01", FROM, UNTIL).keyId());
    }

    @Test
    void refusesBadSeedsAndValidity() {
        assertThrows(IllegalArgumentException.class, () -> ServerKeyPair.fromSeed("ed25519:a", new byte[31], FROM, UNTIL));
        assertThrows(IllegalArgumentException.class, () -> ServerKeyPair.generate("ed25519:a", UNTIL, FROM));
    }

    @Test
    void seedRoundTripsAndServerKeyCarriesValidity() {
        ServerKeyPair key = ServerKeyPair.generate("ed25519:a", FROM, UNTIL);
        ServerKeyPair again = ServerKeyPair.fromSeed("ed25519:a", key.seed(), FROM, UNTIL);
        assertArrayEquals(key.publicKey(), again.publicKey());
        ServerKey published = key.toServerKey();
        assertEquals("ed25519:a", published.getKeyId());
        assertArrayEquals(key.publicKey(), published.getPublicKey().toByteArray());
        assertEquals(FROM.toEpochMilli(), published.getValidFromMillis());
        assertEquals(UNTIL.toEpochMilli(), published.getExpiresAtMillis());
        assertTrue(key.isValidAt(FROM));
        assertFalse(key.isValidAt(UNTIL));
    }
}
