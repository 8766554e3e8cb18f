package org.securecomm.bench.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A STUN message (RFC 8489/5389 framing, the TURN methods of RFC 8656): decoded from a datagram with
 * its raw bytes kept, so MESSAGE-INTEGRITY and FINGERPRINT can be checked, or built by {@link Builder}.
 * Only what a TURN client over UDP needs; no SASLprep (REST credentials are ASCII).
 */
public final class StunMessage {

    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER_BYTES = 20;
    public static final int TRANSACTION_ID_BYTES = 12;

    // Methods (class bits added by type()).
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int CHANNEL_BIND = 0x009;

    // Classes, as the bits they set in the message type.
    public static final int REQUEST = 0x000;
    public static final int SUCCESS = 0x100;
    public static final int ERROR = 0x110;

    // Attributes.
    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int CHANNEL_NUMBER = 0x000C;
    public static final int LIFETIME = 0x000D;
    public static final int XOR_PEER_ADDRESS = 0x0012;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    public static final int REQUESTED_TRANSPORT = 0x0019;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int SOFTWARE = 0x8022;
    public static final int FINGERPRINT = 0x8028;

    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int INTEGRITY_BYTES = 20;

    private record Attribute(int type, int offset, int length) {
    }

    private final byte[] raw;
    private final List<Attribute> attributes;

    private StunMessage(byte[] raw, List<Attribute> attributes) {
        this.raw = raw;
        this.attributes = attributes;
    }

    /** The message type: method and class bits as on the wire (e.g. 0x0113 = Allocate error response). */
    public static int type(int method, int messageClass) {
        return method | messageClass;
    }

    /** Whether a datagram starts like a STUN message (top bits 00 and the magic cookie), as opposed to ChannelData. */
    public static boolean looksLikeStun(ByteBuffer datagram) {
        int p = datagram.position();
        return datagram.remaining() >= HEADER_BYTES && (datagram.get(p) & 0xC0) == 0 && datagram.getInt(p + 4) == MAGIC_COOKIE;
    }

    /** Decodes the remaining bytes of {@code datagram}; IllegalArgumentException saying what is wrong if it is not STUN. */
    public static StunMessage decode(ByteBuffer datagram) {
        byte[] raw = new byte[datagram.remaining()];
        datagram.duplicate().get(raw);
        return decode(raw);
    }

    public static StunMessage decode(byte[] raw) {
        if (raw.length < HEADER_BYTES) {
            throw new IllegalArgumentException("not STUN: " + raw.length + " bytes, shorter than the 20-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        if ((b.get(0) & 0xC0) != 0 || b.getInt(4) != MAGIC_COOKIE) {
            throw new IllegalArgumentException("not STUN: no magic cookie (or the first two bits are not 0)");
        }
        int length = b.getShort(2) & 0xFFFF;
        if (length != raw.length - HEADER_BYTES || length % 4 != 0) {
            throw new IllegalArgumentException("malformed STUN: header says " + length + " attribute bytes, the datagram has "
                    + (raw.length - HEADER_BYTES) + " (must be equal and a multiple of 4)");
        }
        List<Attribute> attributes = new ArrayList<>();
        int p = HEADER_BYTES;
        while (p < raw.length) {
            if (p + 4 > raw.length) {
                throw new IllegalArgumentException("malformed STUN: attribute header cut at byte " + p);
            }
            int type = b.getShort(p) & 0xFFFF;
            int len = b.getShort(p + 2) & 0xFFFF;
            if (p + 4 + len > raw.length) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "malformed STUN: attribute 0x%04x of %d bytes runs past the end", type, len));
            }
            attributes.add(new Attribute(type, p + 4, len));
            p += 4 + padded(len);
        }
        return new StunMessage(raw, List.copyOf(attributes));
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    public int type() {
        return ByteBuffer.wrap(raw).getShort(0) & 0xFFFF;
    }

    /** The method without the class bits. */
    public int method() {
        return type() & ~ERROR;
    }

    public int messageClass() {
        return type() & ERROR;
    }

    public byte[] transactionId() {
        return Arrays.copyOfRange(raw, 8, HEADER_BYTES);
    }

    /** The encoded message. */
    public byte[] bytes() {
        return raw.clone();
    }

    /** The value of the first attribute of this type. */
    public Optional<byte[]> attribute(int type) {
        for (Attribute a : attributes) {
            if (a.type == type) {
                return Optional.of(Arrays.copyOfRange(raw, a.offset, a.offset + a.length));
            }
        }
        return Optional.empty();
    }

    public Optional<String> text(int type) {
        return attribute(type).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    /** ERROR-CODE as {@code code} and reason phrase, when there is one. */
    public Optional<ErrorCode> errorCode() {
        return attribute(ERROR_CODE).filter(v -> v.length >= 4).map(v -> new ErrorCode((v[2] & 0x07) * 100 + (v[3] & 0xFF),
                new String(v, 4, v.length - 4, StandardCharsets.UTF_8)));
    }

    public record ErrorCode(int code, String reason) {
        @Override
        public String toString() {
            return code + " " + reason;
        }
    }

    /** An XOR-...-ADDRESS attribute (IPv4 or IPv6), decoded. */
    public Optional<InetSocketAddress> xorAddress(int type) {
        Optional<byte[]> value = attribute(type);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        byte[] v = value.get();
        if (v.length < 8 || (v[1] != 1 && v[1] != 2) || (v[1] == 1 && v.length != 8) || (v[1] == 2 && v.length != 20)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "malformed address attribute 0x%04x (%d bytes)", type, v.length));
        }
        int port = ((v[2] & 0xFF) << 8 | (v[3] & 0xFF)) ^ (MAGIC_COOKIE >>> 16);
        byte[] ip = Arrays.copyOfRange(v, 4, v.length);
        xorWithCookieAndTransaction(ip);
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed address attribute", e);
        }
    }

    private void xorWithCookieAndTransaction(byte[] ip) {
        // IPv4: the cookie; IPv6: the cookie then the transaction id (RFC 8489 14.2).
        byte[] mask = new byte[16];
        ByteBuffer.wrap(mask).putInt(MAGIC_COOKIE).put(raw, 8, TRANSACTION_ID_BYTES);
        for (int i = 0; i < ip.length; i++) {
            ip[i] ^= mask[i];
        }
    }

    /** Whether MESSAGE-INTEGRITY is present and matches {@code key} (empty: absent). */
    public Optional<Boolean> integrityMatches(byte[] key) {
        for (Attribute a : attributes) {
            if (a.type == MESSAGE_INTEGRITY) {
                if (a.length != INTEGRITY_BYTES) {
                    return Optional.of(false);
                }
                byte[] expected = hmacSha1(key, raw, a.offset - 4, a.offset + INTEGRITY_BYTES - HEADER_BYTES);
                return Optional.of(MessageDigest.isEqual(expected, Arrays.copyOfRange(raw, a.offset, a.offset + a.length)));
            }
        }
        return Optional.empty();
    }

    /** Whether FINGERPRINT is present (it must be last) and matches (empty: absent). */
    public Optional<Boolean> fingerprintMatches() {
        for (Attribute a : attributes) {
            if (a.type == FINGERPRINT) {
                if (a.length != 4 || a.offset + 4 != raw.length) {
                    return Optional.of(false);
                }
                return Optional.of(ByteBuffer.wrap(raw).getInt(a.offset) == fingerprint(raw, a.offset - 4));
            }
        }
        return Optional.empty();
    }

    /** The long-term credential key: MD5(username ":" realm ":" password). */
    public static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5").digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }

    /** HMAC-SHA1 over {@code message[0, end)} with the header's length field set to {@code lengthField}. */
    private static byte[] hmacSha1(byte[] key, byte[] message, int end, int lengthField) {
        byte[] input = Arrays.copyOf(message, end);
        ByteBuffer.wrap(input).putShort(2, (short) lengthField);
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
        }
    }

    /** CRC-32 of {@code message[0, end)} XOR 0x5354554E, the header's length already counting the FINGERPRINT attribute. */
    private static int fingerprint(byte[] message, int end) {
        byte[] input = Arrays.copyOf(message, end);
        ByteBuffer.wrap(input).putShort(2, (short) (end + 8 - HEADER_BYTES));
        CRC32 crc = new CRC32();
        crc.update(input);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    /** Builds a message: attributes in the order added, then MESSAGE-INTEGRITY and FINGERPRINT if asked for. */
    public static final class Builder {
        private final int type;
        private final byte[] transactionId;
        private final ByteBuffer body = ByteBuffer.allocate(1400);

        public Builder(int type, byte[] transactionId) {
            if (transactionId.length != TRANSACTION_ID_BYTES) {
                throw new IllegalArgumentException("a transaction id has 12 bytes, not " + transactionId.length);
            }
            this.type = type;
            this.transactionId = transactionId.clone();
        }

        public byte[] transactionId() {
            return transactionId.clone();
        }

        public int type() {
            return type;
        }

        public Builder add(int attributeType, byte[] value) {
            body.putShort((short) attributeType).putShort((short) value.length).put(value);
            body.put(new byte[padded(value.length) - value.length]);
            return this;
        }

        public Builder add(int attributeType, String value) {
            return add(attributeType, value.getBytes(StandardCharsets.UTF_8));
        }

        public Builder addInt(int attributeType, int value) {
            return add(attributeType, ByteBuffer.allocate(4).putInt(value).array());
        }

        /** An XOR-...-ADDRESS of an IPv4 peer. */
        public Builder addXorAddress(int attributeType, InetSocketAddress address) {
            byte[] ip = address.getAddress().getAddress();
            if (ip.length != 4) {
                throw new IllegalArgumentException("only IPv4 peers here: " + address);
            }
            ByteBuffer v = ByteBuffer.allocate(8).put((byte) 0).put((byte) 1)
                    .putShort((short) (address.getPort() ^ (MAGIC_COOKIE >>> 16))).putInt(ByteBuffer.wrap(ip).getInt() ^ MAGIC_COOKIE);
            return add(attributeType, v.array());
        }

        /** The message; with MESSAGE-INTEGRITY if {@code integrityKey} is not null, then FINGERPRINT if asked. */
        public byte[] encode(byte[] integrityKey, boolean fingerprint) {
            ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + body.position() + 24 + 8);
            out.putShort((short) type).putShort((short) body.position()).putInt(MAGIC_COOKIE).put(transactionId)
                    .put(body.array(), 0, body.position());
            if (integrityKey != null) {
                int end = out.position();
                byte[] mac = hmacSha1(integrityKey, out.array(), end, end + 4 + INTEGRITY_BYTES - HEADER_BYTES);
                out.putShort((short) MESSAGE_INTEGRITY).putShort((short) INTEGRITY_BYTES).put(mac);
            }
            if (fingerprint) {
                int end = out.position();
                int crc = fingerprint(out.array(), end);
                out.putShort((short) FINGERPRINT).putShort((short) 4).putInt(crc);
            }
            out.putShort(2, (short) (out.position() - HEADER_BYTES));
            return Arrays.copyOf(out.array(), out.position());
        }
    }
}
