package org.securecomm.bench.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Against the test vectors of RFC 5769 (their MESSAGE-INTEGRITY and FINGERPRINT values were also
 * recomputed independently with Python's hmac and zlib before being used here).
 */
class StunMessageTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SHORT_TERM_KEY = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    /** RFC 5769 2.1: Binding request, short-term credentials (padding bytes are spaces). */
    private static final byte[] SAMPLE_REQUEST = HEX.parseHex("000100582112a442b7e7a701bc34d686fa87dfae"
            + "802200105354554e207465737420636c69656e74" + "002400046e0001ff" + "80290008932ff9b151263b36"
            + "000600096576746a3a68367659202020" + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" + "80280004e57a3bcf");

    /** RFC 5769 2.2: Binding success, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
    private static final byte[] IPV4_RESPONSE = HEX.parseHex("0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" + "80280004c07d4c96");

    /** RFC 5769 2.3: Binding success, XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
    private static final byte[] IPV6_RESPONSE = HEX.parseHex("010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220" + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
            + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" + "80280004c8fb0b4c");

    /** RFC 5769 2.4: long-term credentials, username and password after SASLprep, no FINGERPRINT. */
    private static final byte[] LONG_TERM_REQUEST = HEX.parseHex("000100602112a44278ad3433c6ad72c029da412e"
            + "00060012e3839ee38388e383aae38383e382afe382b90000" + "0015001c662f2f3439396b39353464364f4c33346f4c39465354767936347341"
            + "0014000b6578616d706c652e6f726700" + "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666");

    @Test
    void theSampleRequestCarriesAMatchingIntegrityAndFingerprint() {
        StunMessage request = StunMessage.decode(SAMPLE_REQUEST);
        assertEquals(0x0001, request.type());
        assertArrayEquals(HEX.parseHex("b7e7a701bc34d686fa87dfae"), request.transactionId());
        assertEquals(Optional.of("evtj:h6vY"), request.text(StunMessage.USERNAME));
        assertEquals(Optional.of("STUN test client"), request.text(StunMessage.SOFTWARE));
        assertEquals(Optional.of(true), request.integrityMatches(SHORT_TERM_KEY));
        assertEquals(Optional.of(true), request.fingerprintMatches());
        assertEquals(Optional.of(false), request.integrityMatches("another password".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void oneChangedByteBreaksIntegrityAndFingerprint() {
        byte[] tampered = SAMPLE_REQUEST.clone();
        tampered[30] ^= 1; // inside SOFTWARE
        StunMessage request = StunMessage.decode(tampered);
        assertEquals(Optional.of(false), request.integrityMatches(SHORT_TERM_KEY));
        assertEquals(Optional.of(false), request.fingerprintMatches());
    }

    @Test
    void theSampleResponsesDecodeTheirXorMappedAddresses() {
        StunMessage v4 = StunMessage.decode(IPV4_RESPONSE);
        assertEquals(StunMessage.type(StunMessage.BINDING, StunMessage.SUCCESS), v4.type());
        assertEquals(new InetSocketAddress("192.0.2.1", 32853), v4.xorAddress(StunMessage.XOR_MAPPED_ADDRESS).orElseThrow());
        assertEquals(Optional.of(true), v4.integrityMatches(SHORT_TERM_KEY));
        assertEquals(Optional.of(true), v4.fingerprintMatches());

        StunMessage v6 = StunMessage.decode(IPV6_RESPONSE);
        assertEquals(new InetSocketAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853),
                v6.xorAddress(StunMessage.XOR_MAPPED_ADDRESS).orElseThrow());
        assertEquals(Optional.of(true), v6.integrityMatches(SHORT_TERM_KEY));
        assertEquals(Optional.of(true), v6.fingerprintMatches());
    }

    @Test
    void encodingTheLongTermRequestGivesTheRfcBytes() {
        String username = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9";
        byte[] key = StunMessage.longTermKey(username, "example.org", "TheMatrIX");
        byte[] encoded = new StunMessage.Builder(0x0001, HEX.parseHex("78ad3433c6ad72c029da412e"))
                .add(StunMessage.USERNAME, username)
                .add(StunMessage.NONCE, "f//499k954d6OL34oL9FSTvy64sA")
                .add(StunMessage.REALM, "example.org")
                .encode(key, false);
        assertEquals(HEX.formatHex(LONG_TERM_REQUEST), HEX.formatHex(encoded));
        assertEquals(Optional.empty(), StunMessage.decode(encoded).fingerprintMatches());
    }

    @Test
    void aBuiltTurnRequestDecodesWithItsPeerAddressIntegrityAndFingerprint() {
        byte[] key = StunMessage.longTermKey("1700000000:bench", "securecomm.test", "secret");
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 54321);
        byte[] encoded = new StunMessage.Builder(StunMessage.type(StunMessage.CHANNEL_BIND, StunMessage.REQUEST), new byte[12])
                .addInt(StunMessage.CHANNEL_NUMBER, 0x4001 << 16)
                .addXorAddress(StunMessage.XOR_PEER_ADDRESS, peer)
                .add(StunMessage.USERNAME, "1700000000:bench")
                .encode(key, true);
        StunMessage decoded = StunMessage.decode(encoded);
        assertEquals(StunMessage.CHANNEL_BIND, decoded.method());
        assertEquals(StunMessage.REQUEST, decoded.messageClass());
        assertEquals(peer, decoded.xorAddress(StunMessage.XOR_PEER_ADDRESS).orElseThrow());
        assertArrayEquals(new byte[] {0x40, 0x01, 0, 0}, decoded.attribute(StunMessage.CHANNEL_NUMBER).orElseThrow());
        assertEquals(Optional.of(true), decoded.integrityMatches(key));
        assertEquals(Optional.of(true), decoded.fingerprintMatches());
        // 16 bytes of USERNAME need no padding; the whole message is a multiple of 4.
        assertEquals(0, encoded.length % 4);
    }

    @Test
    void anErrorResponseGivesItsCodeAndReason() {
        byte[] reason = "Unauthorized".getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[4 + reason.length];
        value[2] = 4;
        value[3] = 1;
        System.arraycopy(reason, 0, value, 4, reason.length);
        StunMessage error = StunMessage.decode(new StunMessage.Builder(StunMessage.type(StunMessage.ALLOCATE, StunMessage.ERROR),
                new byte[12]).add(StunMessage.ERROR_CODE, value).encode(null, false));
        assertEquals(new StunMessage.ErrorCode(401, "Unauthorized"), error.errorCode().orElseThrow());
        assertEquals(StunMessage.ERROR, error.messageClass());
    }

    @Test
    void malformedInputIsRefusedWithTheReason() {
        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class, () -> StunMessage.decode(new byte[8]));
        assertTrue(shortOne.getMessage().contains("header"), shortOne.getMessage());
        byte[] noCookie = SAMPLE_REQUEST.clone();
        noCookie[4] = 0;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StunMessage.decode(noCookie)).getMessage().contains("magic cookie"));
        byte[] cut = java.util.Arrays.copyOf(SAMPLE_REQUEST, SAMPLE_REQUEST.length - 4);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StunMessage.decode(cut)).getMessage().contains("header says"));
    }
}
