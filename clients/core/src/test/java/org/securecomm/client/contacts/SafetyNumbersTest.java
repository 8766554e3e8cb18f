package org.securecomm.client.contacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.signal.libsignal.protocol.IdentityKeyPair;

class SafetyNumbersTest {

    @Test
    void bothSidesSeeTheSameNumberAndScanEachOther() {
        IdentityKeyPair alice = IdentityKeyPair.generate();
        IdentityKeyPair bob = IdentityKeyPair.generate();
        SafetyNumbers onAlice = SafetyNumbers.of("alice@x.test", alice.getPublicKey(), "bob@x.test", bob.getPublicKey());
        SafetyNumbers onBob = SafetyNumbers.of("bob@x.test", bob.getPublicKey(), "alice@x.test", alice.getPublicKey());
        assertEquals(onAlice.number(), onBob.number());
        assertTrue(onAlice.number().matches("(\\d{5} ){11}\\d{5}"));
        assertTrue(onAlice.matchesNumber(onBob.number().replace(" ", "")));
        assertTrue(onAlice.matchesScanned(onBob.scannable()));
        assertFalse(onAlice.matchesScanned(new byte[] {1, 2, 3}));

        IdentityKeyPair mallory = IdentityKeyPair.generate();
        SafetyNumbers withMallory = SafetyNumbers.of("alice@x.test", alice.getPublicKey(), "bob@x.test", mallory.getPublicKey());
        assertNotEquals(onAlice.number(), withMallory.number());
        assertFalse(withMallory.matchesScanned(onBob.scannable()));
    }
}
