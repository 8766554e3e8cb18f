package org.securecomm.client;

import java.net.URI;

/**
 * A change of the device's connection to its relay cluster: {@code endpoint} is the relay URL
 * connected to or being tried (null when none), {@code detail} why (may be empty).
 */
public record ConnectionEvent(State state, URI endpoint, String detail) {

    public enum State {
        /** Authenticated to a relay node: pushes arrive. */
        CONNECTED,
        /** The connection dropped (node gone, drained, no heartbeat answer): trying the endpoints with backoff. */
        RECONNECTING,
        /** Not connected and not trying (never connected, closed, or the relay sent this device away). */
        DISCONNECTED
    }
}
