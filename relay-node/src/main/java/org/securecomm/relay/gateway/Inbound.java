package org.securecomm.relay.gateway;

import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.ErrorCode;

/** One frame from the client after decoding: a request, or why it could not be one. */
sealed interface Inbound {

    record Request(ClientMessage message) implements Inbound {
    }

    /** {@code requestId} is 0 when the frame was too broken to carry one. */
    record Rejected(long requestId, ErrorCode code, String reason) implements Inbound {
    }
}
