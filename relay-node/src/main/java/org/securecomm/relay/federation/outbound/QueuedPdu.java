package org.securecomm.relay.federation.outbound;

import org.securecomm.relay.CborSerializable;

/** One queued PDU: its serialized Pdu (sequence unset; set when sent) and what the queue needs without parsing it. */
public record QueuedPdu(long sequence, long enqueuedAtMillis, long expiresAtMillis, byte[] pdu) implements CborSerializable {

    boolean expiredAt(long nowMillis) {
        return expiresAtMillis != 0 && expiresAtMillis <= nowMillis;
    }
}
