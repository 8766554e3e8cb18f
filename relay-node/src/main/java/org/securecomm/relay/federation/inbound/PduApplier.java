package org.securecomm.relay.federation.inbound;

import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;

/**
 * Applies one verified inbound PDU to this cluster (enqueue envelopes into mailboxes, push to
 * devices...). The stage completes with the PDU's result (an error code for a refusal that
 * should go back to the origin) or exceptionally when it could not be applied now; then the
 * origin retries it later. Called from inside an actor: it must not block.
 */
@FunctionalInterface
public interface PduApplier {

    CompletionStage<PduResult> apply(String origin, Pdu pdu);
}
