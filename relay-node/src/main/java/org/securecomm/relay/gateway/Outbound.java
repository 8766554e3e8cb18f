package org.securecomm.relay.gateway;

import org.securecomm.protocol.client.v1.ServerMessage;

/** What the connection actor hands to the WebSocket's outgoing stream. */
sealed interface Outbound {

    record Frame(ServerMessage message) implements Outbound {
    }

    /** Completes the stream: the WebSocket closes after the frames before it are sent. */
    record Close() implements Outbound {
    }
}
