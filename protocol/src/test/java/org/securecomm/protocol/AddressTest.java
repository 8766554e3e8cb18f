package org.securecomm.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void parsesAndLowerCases() {
        Address address = Address.parse("Alice.W@Chat.Example.org");
        assertEquals("alice.w", address.username());
        assertEquals("chat.example.org", address.domain());
        assertEquals("alice.w@chat.example.org", address.toString());
    }

    @Test
    void acceptsPortInDomainForPrivateDeployments() {
        assertEquals("localhost:8443", Address.parse("bob@localhost:8443").domain());
    }

    @Test
    void rejectsMalformedAddresses() {
        for (String bad : new String[] {"", "@a.b", "bob@", "no-at-sign", "a@b.c", "x..@@b.c", "bob@-bad-.org", "bo b@a.org", "_bob@a.org"}) {
            assertThrows(IllegalArgumentException.class, () -> Address.parse(bad), bad);
        }
    }
}
