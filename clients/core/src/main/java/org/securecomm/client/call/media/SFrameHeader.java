package org.securecomm.client.call.media;

/**
 * The SFrame header (RFC 9605 section 4.3): a config byte {@code X|KKK|Y|CCC} followed by the KID and the CTR as
 * minimal big-endian integers. A value below 8 sits in the K (or C) bits with X (or Y) clear; otherwise X (or Y) is
 * set, the 3 bits hold the byte length minus one, and the bytes follow, KID first. KID and CTR are unsigned 64-bit
 * values held in {@code long}s.
 */
public record SFrameHeader(long kid, long ctr) {

    /** The longest header: config byte plus 8 KID bytes and 8 CTR bytes. */
    public static final int MAX_LENGTH = 17;

    public byte[] encode() {
        int kidLength = extendedLength(kid);
        int ctrLength = extendedLength(ctr);
        byte[] out = new byte[1 + kidLength + ctrLength];
        int config = kidLength == 0 ? (int) kid << 4 : 0x80 | (kidLength - 1) << 4;
        config |= ctrLength == 0 ? (int) ctr : 0x08 | (ctrLength - 1);
        out[0] = (byte) config;
        writeBigEndian(out, 1, kid, kidLength);
        writeBigEndian(out, 1 + kidLength, ctr, ctrLength);
        return out;
    }

    public int encodedLength() {
        return 1 + extendedLength(kid) + extendedLength(ctr);
    }

    /**
     * Parses the header at the start of an SFrame ciphertext. Non-minimal encodings are rejected, so the bytes of a
     * valid header always equal {@code decode(frame).encode()}.
     */
    public static SFrameHeader decode(byte[] frame) throws SFrameException {
        if (frame.length == 0) {
            throw new SFrameException(SFrameException.Reason.MALFORMED, -1, "empty SFrame ciphertext");
        }
        int config = frame[0] & 0xff;
        int position = 1;
        long kid = (config >> 4) & 0x07;
        if ((config & 0x80) != 0) {
            kid = readBigEndian(frame, position, (int) kid + 1);
            position += (int) ((config >> 4) & 0x07) + 1;
        }
        long ctr = config & 0x07;
        if ((config & 0x08) != 0) {
            ctr = readBigEndian(frame, position, (int) ctr + 1);
            position += (config & 0x07) + 1;
        }
        SFrameHeader header = new SFrameHeader(kid, ctr);
        if (header.encodedLength() != position) {
            throw new SFrameException(SFrameException.Reason.MALFORMED, kid, "SFrame header is not minimally encoded");
        }
        return header;
    }

    /** 0 when the value fits in the config byte, else the minimal number of big-endian bytes (1 to 8). */
    private static int extendedLength(long value) {
        if (Long.compareUnsigned(value, 8) < 0) {
            return 0;
        }
        return (64 - Long.numberOfLeadingZeros(value) + 7) / 8;
    }

    private static void writeBigEndian(byte[] out, int offset, long value, int length) {
        for (int i = 0; i < length; i++) {
            out[offset + i] = (byte) (value >>> (8 * (length - 1 - i)));
        }
    }

    private static long readBigEndian(byte[] in, int offset, int length) throws SFrameException {
        if (in.length < offset + length) {
            throw new SFrameException(SFrameException.Reason.MALFORMED, -1, "truncated SFrame header");
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            value = value << 8 | (in[offset + i] & 0xff);
        }
        return value;
    }
}
