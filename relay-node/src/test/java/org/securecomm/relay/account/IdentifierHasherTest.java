package org.securecomm.relay.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.securecomm.protocol.Identifiers;

class IdentifierHasherTest {

    private final IdentifierHasher hasher = new IdentifierHasher(new byte[32]);

    @Test
    void rawIdentifierAndClientHashMeetOnTheSameKey() {
        String key = hasher.keyForIdentifier(" Alice@Example.org");
        assertEquals(key, hasher.keyForClientHash(Identifiers.clientHash("alice@example.org")));
        assertEquals(64, key.length());
    }

    @Test
    void keysDependOnTheServerSecret() {
        byte[] other = new byte[32];
        other[0] = 1;
        assertNotEquals(hasher.keyForIdentifier("+15550001111"), new IdentifierHasher(other).keyForIdentifier("+15550001111"));
        assertThrows(IllegalArgumentException.class, () -> new IdentifierHasher(new byte[16]));
    }
}
