package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.ServerDescription;
import org.securecomm.protocol.federation.v1.SignedServerDescription;

class ServerDescriptionsTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final URI ENDPOINT = URI.create("https://fed.a.example:8448");
    private final ServerKeyPair key = ServerKeyPair.generate("ed25519:k1", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
    private final ServerKeys keys = new ServerKeys(key);

    @Test
    void roundTrip() throws FederationRejection {
        SignedServerDescription signed = ServerDescriptions.sign(keys, "a.example", ENDPOINT, NOW, Duration.ofHours(24));
        PeerDescription peer = ServerDescriptions.verify(signed.toByteArray(), "a.example", NOW.plusSeconds(60));
        assertEquals("a.example", peer.domain());
        assertEquals(ENDPOINT, peer.endpoint());
        assertEquals(NOW.plus(Duration.ofHours(24)), peer.validUntil());
        assertEquals(1, peer.keys().size());
        assertArrayEquals(key.publicKey(), peer.key("ed25519:k1").orElseThrow().getPublicKey().toByteArray());
    }

    @Test
    void validityIsCappedByTheSigningKeysExpiry() throws FederationRejection {
        SignedServerDescription signed = ServerDescriptions.sign(keys, "a.example", ENDPOINT, NOW, Duration.ofDays(365));
        assertEquals(key.expiresAt(), ServerDescriptions.verify(signed.toByteArray(), "a.example", NOW).validUntil());
    }

    @Test
    void refusesAnotherDomain() {
        SignedServerDescription signed = ServerDescriptions.sign(keys, "a.example", ENDPOINT, NOW, Duration.ofHours(1));
        assertUnreachable(signed.toByteArray(), "b.example", NOW, "another domain");
    }

    @Test
    void refusesAfterValidUntil() {
        SignedServerDescription signed = ServerDescriptions.sign(keys, "a.example", ENDPOINT, NOW, Duration.ofHours(1));
        assertUnreachable(signed.toByteArray(), "a.example", NOW.plus(Duration.ofHours(1)), "expired");
    }

    @Test
    void refusesPlainHttpEndpoints() {
        assertThrows(IllegalArgumentException.class, () -> ServerDescriptions.sign(keys, "a.example", URI.create("http://fed.a.example"), NOW, Duration.ofHours(1)));
        for (String endpoint : new String[] {"http://fed.a.example", "https://fed.a.example/", "https://fed.a.example?x=1", "fed.a.example"}) {
            ServerDescription description = description().setFederationEndpoint(endpoint).build();
            assertUnreachable(ServerDescriptions.sign(key, description).toByteArray(), "a.example", NOW, "https");
        }
    }

    @Test
    void refusesTamperingAndUnlistedSigners() throws InvalidProtocolBufferException {
        SignedServerDescription signed = ServerDescriptions.sign(keys, "a.example", ENDPOINT, NOW, Duration.ofHours(1));
        ServerDescription changed = ServerDescription.parseFrom(signed.getDescription()).toBuilder().setFederationEndpoint("https://evil.example").build();
        assertUnreachable(signed.toBuilder().setDescription(changed.toByteString()).build().toByteArray(), "a.example", NOW, "bad signature");

        ServerKeyPair stranger = ServerKeyPair.generate("ed25519:k9", NOW.minusSeconds(1), NOW.plus(Duration.ofDays(1)));
        assertUnreachable(ServerDescriptions.sign(stranger, description().build()).toByteArray(), "a.example", NOW, "does not list");

        // Listed under the stranger's id but with another public key: the signature cannot verify.
        ServerDescription impersonation = description().addKeys(stranger.toServerKey().toBuilder().setPublicKey(ByteString.copyFrom(key.publicKey()))).build();
        assertUnreachable(ServerDescriptions.sign(stranger, impersonation).toByteArray(), "a.example", NOW, "bad signature");

        assertUnreachable(new byte[] {1, 2, 3}, "a.example", NOW, "not a SignedServerDescription");
    }

    @Test
    void refusesMalformedKeys() {
        ServerDescription badPoint = description().addKeys(key.toServerKey().toBuilder().setKeyId("ed25519:k2").setPublicKey(ByteString.copyFrom(new byte[31]))).build();
        assertUnreachable(ServerDescriptions.sign(key, badPoint).toByteArray(), "a.example", NOW, "32-byte");
        ServerDescription twice = description().addKeys(key.toServerKey()).build();
        assertUnreachable(ServerDescriptions.sign(key, twice).toByteArray(), "a.example", NOW, "twice");
    }

    @Test
    void refusesASignerNotValidNow() {
        ServerKeyPair future = ServerKeyPair.generate("ed25519:k5", NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)));
        ServerDescription description = ServerDescription.newBuilder().setDomain("a.example").setFederationEndpoint(ENDPOINT.toString())
                .addKeys(future.toServerKey()).setIssuedAtMillis(NOW.toEpochMilli()).setValidUntilMillis(NOW.plusSeconds(3600).toEpochMilli()).build();
        assertUnreachable(ServerDescriptions.sign(future, description).toByteArray(), "a.example", NOW, "not valid now");
    }

    private ServerDescription.Builder description() {
        return ServerDescription.newBuilder()
                .setDomain("a.example")
                .setFederationEndpoint(ENDPOINT.toString())
                .addKeys(key.toServerKey())
                .setIssuedAtMillis(NOW.toEpochMilli())
                .setValidUntilMillis(NOW.plus(Duration.ofHours(1)).toEpochMilli());
    }

    private static void assertUnreachable(byte[] bytes, String domain, Instant now, String messagePart) {
        FederationRejection rejection = assertThrows(FederationRejection.class, () -> ServerDescriptions.verify(bytes, domain, now));
        assertEquals(Rejection.ORIGIN_UNREACHABLE, rejection.rejection());
        assertTrue(rejection.getMessage().contains(messagePart), rejection.getMessage());
    }
}
