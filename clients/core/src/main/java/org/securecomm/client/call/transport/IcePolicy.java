package org.securecomm.client.call.transport;

/** Which local candidates a 1:1 call may use (the {@code --ice-policy} of the clients). */
public enum IcePolicy {
    /** Host, server-reflexive and relay candidates: the direct path when there is one. */
    ALL,
    /**
     * Relay (TURN) candidates only: the peer never learns this device's addresses, at the cost of
     * a TURN hop. Needs at least one TURN server.
     */
    RELAY
}
