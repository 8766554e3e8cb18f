package org.securecomm.client.linking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.securecomm.client.crypto.SealedDataException;
import org.signal.libsignal.protocol.ecc.ECKeyPair;

class LinkingCryptoTest {

    @Test
    void bothDevicesDeriveTheSameCodeAndKey() {
        ECKeyPair existing = ECKeyPair.generate();
        ECKeyPair fresh = ECKeyPair.generate();
        LinkingCrypto onExisting = LinkingCrypto.derive(existing.getPrivateKey(), fresh.getPublicKey(), existing.getPublicKey(), fresh.getPublicKey());
        LinkingCrypto onNew = LinkingCrypto.derive(fresh.getPrivateKey(), existing.getPublicKey(), existing.getPublicKey(), fresh.getPublicKey());
        assertTrue(onExisting.confirmationCode().matches("\\d{6}"));
        assertEquals(onExisting.confirmationCode(), onNew.confirmationCode());
        assertTrue(onExisting.codeMatches(" " + onNew.confirmationCode() + " "));
        assertArrayEquals("account".getBytes(), onNew.open(onExisting.seal("account".getBytes())));
    }

    @Test
    void aRelaySwappingTheExistingDevicesKeyIsCaughtByTheCode() {
        ECKeyPair existing = ECKeyPair.generate();
        ECKeyPair fresh = ECKeyPair.generate();
        ECKeyPair relay = ECKeyPair.generate();
        LinkingCrypto onExisting = LinkingCrypto.derive(existing.getPrivateKey(), fresh.getPublicKey(), existing.getPublicKey(), fresh.getPublicKey());
        // the new device received the relay's key instead of the existing device's
        LinkingCrypto onNew = LinkingCrypto.derive(fresh.getPrivateKey(), relay.getPublicKey(), relay.getPublicKey(), fresh.getPublicKey());
        assertNotEquals(onExisting.confirmationCode(), onNew.confirmationCode());
        assertFalse(onExisting.codeMatches(onNew.confirmationCode()));
        assertThrows(SealedDataException.class, () -> onNew.open(onExisting.seal("account".getBytes())));
    }

    @Test
    void theLinkRoundTrips() {
        ECKeyPair fresh = ECKeyPair.generate();
        LinkUri link = new LinkUri(URI.create("ws://127.0.0.1:8080/v1/websocket"), "chan-1", fresh.getPublicKey());
        LinkUri parsed = LinkUri.parse(link.format());
        assertEquals(link.server(), parsed.server());
        assertEquals("chan-1", parsed.channelId());
        assertEquals(fresh.getPublicKey(), parsed.newDeviceKey());
        assertThrows(IllegalArgumentException.class, () -> LinkUri.parse("https://example.org"));
    }
}
