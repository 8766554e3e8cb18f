package org.securecomm.client.call.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known answers from RFC 9605 Appendix C.1 (header encoding) and C.3 (SFrame encryption, suites 0x0004/0x0005). */
class SFrameVectorsTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String BASE_KEY = "000102030405060708090a0b0c0d0e0f";
    private static final String METADATA = "4945544620534672616d65205747";
    private static final String PLAINTEXT = "64726166742d696574662d736672616d652d656e63";

    @Test
    void headerEncodingMatchesAppendixC1() throws SFrameException {
        Object[][] vectors = {
            {0x0L, 0x0L, "00"},
            {0x00000000000000ffL, 0x0000ffffffffffffL, "8dffffffffffffff"},
            {0x00000000000000ffL, 0xffffffffffffffffL, "8fffffffffffffffffff"},
            {0x0000000000000100L, 0x0L, "900100"},
            {0x0000000000000100L, 0x1L, "910100"},
            {0x0000000000000100L, 0xffL, "980100ff"},
            {0x000000000000ffffL, 0x100L, "99ffff0100"},
            {0x0000000000010000L, 0x1L, "a1010000"},
            {0x0000000001000000L, 0x0100000000000000L, "bf010000000100000000000000"},
            {0x0000000100000000L, 0xffffffffffffffffL, "cf0100000000ffffffffffffffff"},
            {0x0001000000000000L, 0xffL, "e801000000000000ff"},
            {0xffffffffffffffffL, 0x10000L, "faffffffffffffffff010000"},
            {0xffffffffffffffffL, 0xffffffffffffffffL, "ffffffffffffffffffffffffffffffffff"},
            {0x123L, 0x4567L, "9901234567"},
        };
        for (Object[] v : vectors) {
            SFrameHeader header = new SFrameHeader((long) v[0], (long) v[1]);
            assertEquals(v[2], HEX.formatHex(header.encode()), header.toString());
            assertEquals(header, SFrameHeader.decode(HEX.parseHex(v[2] + "abcdef")));
            assertEquals(header.encode().length, header.encodedLength());
        }
    }

    @Test
    void malformedHeadersAreRejected() {
        for (String bad : new String[] {"", "90", "9901", "0807", "880700", "9800ff"}) {
            SFrameException e = assertThrows(SFrameException.class, () -> SFrameHeader.decode(HEX.parseHex(bad)), bad);
            assertEquals(SFrameException.Reason.MALFORMED, e.reason(), bad);
        }
    }

    @Test
    void aes128GcmMatchesAppendixC3() throws SFrameException {
        check(SFrameCipherSuite.AES_128_GCM_SHA256_128, "d34f547f4ca4f9a7447006fe7fcbf768", "75234edefe07819026751816",
                "75234edefe07819026755d71",
                "9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0b091c07018ce4adb34eb");
    }

    @Test
    void aes256GcmMatchesAppendixC3() throws SFrameException {
        check(SFrameCipherSuite.AES_256_GCM_SHA512_128,
                "d3e27b0d4a5ae9e55df01a70e6d4d28d969b246e2936f4b7a5d9b494da6b9633", "84991c167b8cd23c93708ec7",
                "84991c167b8cd23c9370cba0",
                "990123456794f509d36e9beacb0e261d99c7d1e972f1fed787d4049f17ca21353c1cc24d56ceabced279");
    }

    private static void check(SFrameCipherSuite suite, String sframeKey, String sframeSalt, String nonce, String ct)
            throws SFrameException {
        SFrameKey key = SFrameKey.derive(suite, 0x123, HEX.parseHex(BASE_KEY));
        assertEquals(sframeKey, HEX.formatHex(key.keyBytes()));
        assertEquals(sframeSalt, HEX.formatHex(key.salt()));
        assertEquals(nonce, HEX.formatHex(key.nonce(0x4567)));
        assertEquals(ct, HEX.formatHex(key.encrypt(0x4567, HEX.parseHex(METADATA), HEX.parseHex(PLAINTEXT))));

        SFrameReceiver receiver = new SFrameReceiver(suite);
        receiver.addKey(new SenderKey(0x123, HEX.parseHex(BASE_KEY)));
        assertArrayEquals(HEX.parseHex(PLAINTEXT), receiver.decrypt(HEX.parseHex(METADATA), HEX.parseHex(ct)));
        SFrameException e = assertThrows(SFrameException.class, () -> receiver.decrypt(HEX.parseHex(ct)));
        assertEquals(SFrameException.Reason.REPLAYED, e.reason(), "same counter again");
    }
}
