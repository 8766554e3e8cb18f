package org.securecomm.ops.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TurnRestCredentialsTest {

    @Test
    void usernameIsExpiryColonIdAndPasswordTheBase64HmacSha1OfIt() {
        // Expected value computed independently: python3 hmac.new(b'north-secret', b'1700000000:device-7', sha1)
        TurnRestCredentials credentials = TurnRestCredentials.issue("north-secret", "device-7",
                Instant.ofEpochSecond(1_700_000_000L));
        assertEquals("1700000000:device-7", credentials.username());
        assertEquals("PPFcu1hsxX1GP83xEtuYzbeJlA0=", credentials.password());
    }

    @Test
    void idsWithAColonAreRefusedAndPasswordsNeverPrinted() {
        assertThrows(IllegalArgumentException.class,
                () -> TurnRestCredentials.issue("s", "a:b", Instant.ofEpochSecond(1)));
        TurnRestCredentials credentials = TurnRestCredentials.issue("s", "d", Instant.ofEpochSecond(1));
        assertFalse(credentials.toString().contains(credentials.password()));
    }
}
