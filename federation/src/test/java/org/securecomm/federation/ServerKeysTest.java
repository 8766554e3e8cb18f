package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.federation.v1.ServerKey;

class ServerKeysTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void rotationKeepsTheOldKeyPublishedUntilItExpires() {
        ServerKeyPair first = ServerKeyPair.generate("ed25519:k1", T0, T0.plus(Duration.ofDays(30)));
        ServerKeyPair second = ServerKeyPair.generate("ed25519:k2", T0.plus(Duration.ofDays(20)), T0.plus(Duration.ofDays(60)));
        ServerKeyPair third = ServerKeyPair.generate("ed25519:k3", T0.plus(Duration.ofDays(50)), T0.plus(Duration.ofDays(90)));
        ServerKeys ring = new ServerKeys(first).rotate(second);
        assertSame(second, ring.current());

        Instant day25 = T0.plus(Duration.ofDays(25));
        assertEquals(List.of("ed25519:k2", "ed25519:k1"), ids(ring.published(day25)));
        assertEquals(T0.plus(Duration.ofDays(30)).toEpochMilli(), ring.published(day25).get(1).getExpiresAtMillis(), "the old key keeps its expiry");

        ServerKeys rotatedAgain = ring.rotate(third);
        assertEquals(List.of("ed25519:k3", "ed25519:k2", "ed25519:k1"), ids(rotatedAgain.published(day25)));
        assertEquals(List.of("ed25519:k3", "ed25519:k2"), ids(rotatedAgain.published(T0.plus(Duration.ofDays(30)))), "expired keys are dropped");
    }

    @Test
    void keyIdsAreNeverReused() {
        ServerKeyPair first = ServerKeyPair.generate("ed25519:k1", T0, T0.plus(Duration.ofDays(30)));
        ServerKeys ring = new ServerKeys(first).rotate(ServerKeyPair.generate("ed25519:k2", T0, T0.plus(Duration.ofDays(30))));
        assertThrows(IllegalArgumentException.class, () -> ring.rotate(ServerKeyPair.generate("ed25519:k1", T0, T0.plus(Duration.ofDays(30)))));
        assertThrows(IllegalArgumentException.class, () -> ring.rotate(ServerKeyPair.generate("ed25519:k2", T0, T0.plus(Duration.ofDays(30)))));
    }

    private static List<String> ids(List<ServerKey> keys) {
        return keys.stream().map(ServerKey::getKeyId).toList();
    }
}
