package org.securecomm.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class IdentifiersTest {

    @Test
    void normalizesEmailAndPhone() {
        assertEquals("alice@example.org", Identifiers.normalize("  Alice@Example.ORG "));
        assertEquals("+4915112345678", Identifiers.normalize("+49 (151) 123-456.78"));
    }

    @Test
    void rejectsWhatIsNeither() {
        for (String bad : new String[] {"", "alice", "alice@", "@example.org", "+12", "+0123456789", "0151 1234567", "a b@example.org"}) {
            assertThrows(IllegalArgumentException.class, () -> Identifiers.normalize(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Identifiers.normalize(null));
    }

    @Test
    void clientHashIsStableAndSeparatesIdentifiers() {
        byte[] hash = Identifiers.clientHash("alice@example.org");
        assertEquals(Identifiers.HASH_LENGTH, hash.length);
        assertArrayEquals(hash, Identifiers.clientHash("alice@example.org"));
        assertFalse(Arrays.equals(hash, Identifiers.clientHash("alice@example.com")));
        // Test vector: SHA-256("securecomm/identifier/v1\0" || "alice@example.org"), pinned so that
        // every client implementation hashes identically.
        assertEquals(IDENTIFIER_VECTOR, HexFormat.of().formatHex(hash));
    }

    private static final String IDENTIFIER_VECTOR = "c72f0b72e61c7b7c8fbba14410880f72c39028078aa9b61654814642bfbb50e0";
}
