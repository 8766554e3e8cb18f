package org.securecomm.relay.federation.outbound;

import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;

/**
 * Told about a PDU the peer refused when nobody waits for its outcome any more (the sender was
 * answered "queued"), so the sender can be told later (a DELIVERY_FAILURE envelope). Called
 * from inside the queue's actor: it must not block.
 */
@FunctionalInterface
public interface FailureReporter {

    /**
     * @param domain the peer that refused it
     * @param pdu    the PDU as sent, with its sequence number
     * @param result the peer's non-OK result for it
     */
    void report(String domain, Pdu pdu, PduResult result);
}
