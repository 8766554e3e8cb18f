package org.securecomm.relay.federation.outbound;

import org.securecomm.relay.CborSerializable;

/** What {@link FederationPeer.Enqueue} answers; every answer but QueueFull comes after the PDU is persisted. */
public sealed interface EnqueueReply extends CborSerializable {

    /** The peer answered within the wait; {@code pduResult} is its serialized PduResult (OK or an error). */
    record Delivered(long sequence, byte[] pduResult) implements EnqueueReply {
    }

    /** Persisted; the outcome was not known within the wait (a refusal reaches the FailureReporter). */
    record Queued(long sequence) implements EnqueueReply {
    }

    /** Not accepted: the peer's queue is at its item or byte cap. */
    record QueueFull() implements EnqueueReply {
    }
}
