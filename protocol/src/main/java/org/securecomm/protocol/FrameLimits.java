package org.securecomm.protocol;

import org.securecomm.protocol.client.v1.ClientMessage;

/**
 * Size limits of client frames. A frame larger than {@link #maxClientFrameBytes} is rejected
 * before it is parsed; a parsed frame larger than the limit of its request type is rejected
 * after. Envelope content has its own, relay-configurable limit (default 256 KiB).
 */
public final class FrameLimits {

    public static final int DEFAULT_MAX_ENVELOPE_BYTES = 256 * 1024;
    /** Small requests: registration, authentication, acknowledgements, look-ups, pings. */
    public static final int SMALL_REQUEST_BYTES = 16 * 1024;
    /** Key uploads: a batch of 100 Kyber-1024 prekeys with signatures is about 165 KiB. */
    public static final int UPLOAD_KEYS_BYTES = 512 * 1024;
    /** Contact discovery: up to 1,000 hashes of 32 bytes each plus framing. */
    public static final int DISCOVER_CONTACTS_BYTES = 40 * 1024;
    public static final int MAX_DISCOVERY_HASHES = 1000;
    public static final int MAX_ACKNOWLEDGED_IDS = 1000;
    /** Acknowledgements: up to 1,000 ids of 16 bytes each plus framing. */
    public static final int ACKNOWLEDGE_BYTES = 24 * 1024;
    /** Device-linking messages: keys and credentials, end-to-end encrypted, up to 64 KiB. */
    public static final int MAX_PROVISIONING_BODY = 64 * 1024;
    public static final int PROVISIONING_BYTES = MAX_PROVISIONING_BODY + 1024;
    /** Call signals: SDP, ICE candidates and SFrame keys, end-to-end encrypted, up to 16 KiB. */
    public static final int MAX_CALL_SIGNAL_PAYLOAD = 16 * 1024;
    public static final int CALL_SIGNAL_BYTES = MAX_CALL_SIGNAL_PAYLOAD + 1024;
    /** Encrypted device names. */
    public static final int MAX_DEVICE_NAME_BYTES = 512;

    private final int maxEnvelopeBytes;
    private final int maxDevicesPerAccount;

    public FrameLimits(int maxEnvelopeBytes, int maxDevicesPerAccount) {
        if (maxEnvelopeBytes <= 0 || maxDevicesPerAccount <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        this.maxDevicesPerAccount = maxDevicesPerAccount;
    }

    public int maxEnvelopeBytes() {
        return maxEnvelopeBytes;
    }

    /**
     * A SendEnvelopes request carries one envelope per device of the destination and one per
     * other device of the sender.
     */
    public int maxSendEnvelopesBytes() {
        return maxEnvelopeBytes * (2 * maxDevicesPerAccount - 1) + SMALL_REQUEST_BYTES;
    }

    /** The largest frame a client may send at all. */
    public int maxClientFrameBytes() {
        return Math.max(maxSendEnvelopesBytes(), UPLOAD_KEYS_BYTES);
    }

    /** The limit of one request type, checked against the frame's serialized size. */
    public int limitFor(ClientMessage.BodyCase type) {
        return switch (type) {
            case SEND_ENVELOPES -> maxSendEnvelopesBytes();
            case UPLOAD_KEYS -> UPLOAD_KEYS_BYTES;
            case DISCOVER_CONTACTS -> DISCOVER_CONTACTS_BYTES;
            case ACKNOWLEDGE_ENVELOPES -> ACKNOWLEDGE_BYTES;
            case SEND_PROVISIONING_MESSAGE -> PROVISIONING_BYTES;
            case SEND_CALL_SIGNAL -> CALL_SIGNAL_BYTES;
            default -> SMALL_REQUEST_BYTES;
        };
    }
}
