package org.securecomm.protocol;

import java.nio.ByteBuffer;

/**
 * UDP datagrams of call media (docs/protocol.md, "Media forwarder"). All integers big-endian.
 *
 * <pre>
 * client -> forwarder  MEDIA      0x01 | room id (8) | token (8) | hop seq (4) | payload
 * forwarder -> client  MEDIA      0x02 | payload                  (also peer -> peer on a direct path)
 * client -> forwarder  KEEPALIVE  0x03 | room id (8) | token (8) | hop seq (4)
 * forwarder -> client  KEEPALIVE  0x04 | hop seq (4)              (echo: the route works)
 *
 * payload (end to end)            source id (4) | kind (1) | seq (4) | SFrame ciphertext
 * </pre>
 *
 * The room id and token come from the relay's MediaRoute and admit the packet; the hop sequence
 * number (per token, increasing) lets the forwarder drop replays. The payload is opaque to every
 * relay: its first {@link #PAYLOAD_HEADER} bytes are the SFrame metadata (authenticated, not
 * encrypted), the rest is SFrame ciphertext.
 */
public final class MediaDatagrams {

    public static final byte CLIENT_MEDIA = 0x01;
    public static final byte FORWARDED_MEDIA = 0x02;
    public static final byte CLIENT_KEEPALIVE = 0x03;
    public static final byte KEEPALIVE_ECHO = 0x04;

    public static final int ROOM_ID_BYTES = 8;
    public static final int TOKEN_BYTES = 8;
    /** type + room id + token + hop seq. */
    public static final int CLIENT_HEADER = 1 + ROOM_ID_BYTES + TOKEN_BYTES + 4;
    /** source id + kind + seq. */
    public static final int PAYLOAD_HEADER = 4 + 1 + 4;
    /** Largest datagram anyone sends or accepts: stays under a 1,500-byte MTU with IP/UDP headers. */
    public static final int MAX_DATAGRAM = 1400;
    public static final int MAX_PAYLOAD = MAX_DATAGRAM - CLIENT_HEADER;

    public static final byte KIND_AUDIO = 1;
    public static final byte KIND_VIDEO = 2;

    private MediaDatagrams() {
    }

    /** A client datagram for the forwarder: MEDIA with a payload, or KEEPALIVE with {@code payload} null. */
    public static byte[] toForwarder(long roomId, long token, int hopSeq, byte[] payload) {
        int length = CLIENT_HEADER + (payload == null ? 0 : payload.length);
        if (length > MAX_DATAGRAM) {
            throw new IllegalArgumentException("media payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        ByteBuffer buffer = ByteBuffer.allocate(length)
                .put(payload == null ? CLIENT_KEEPALIVE : CLIENT_MEDIA)
                .putLong(roomId).putLong(token).putInt(hopSeq);
        if (payload != null) {
            buffer.put(payload);
        }
        return buffer.array();
    }

    /** A forwarded (or direct peer-to-peer) MEDIA datagram around an end-to-end payload. */
    public static byte[] forwarded(byte[] payload) {
        if (payload.length + 1 > MAX_DATAGRAM) {
            throw new IllegalArgumentException("media payload of " + payload.length + " bytes is too large");
        }
        return ByteBuffer.allocate(1 + payload.length).put(FORWARDED_MEDIA).put(payload).array();
    }

    /** The 8-byte room id or token of a MediaRoute as a long. */
    public static long idOf(byte[] eightBytes) {
        if (eightBytes.length != 8) {
            throw new IllegalArgumentException("expected 8 bytes, got " + eightBytes.length);
        }
        return ByteBuffer.wrap(eightBytes).getLong();
    }

    public static byte[] bytesOf(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    /** The end-to-end payload header, which is also the SFrame metadata of the frame. */
    public static byte[] payloadHeader(int sourceId, byte kind, int seq) {
        return ByteBuffer.allocate(PAYLOAD_HEADER).putInt(sourceId).put(kind).putInt(seq).array();
    }
}
