package org.securecomm.client.call.transport;

/**
 * The candidate pair ICE selected for media. Types are ICE's: host, srflx, prflx, relay.
 * Addresses are "ip:port" ("[v6]:port"); for logs and the call's diagnostics, never sent to the relay.
 */
public record SelectedPair(String localType, String localAddress, String remoteType, String remoteAddress) {

    /** Whether media goes through a TURN server (either side's candidate is a relay). */
    public boolean relayed() {
        return "relay".equals(localType) || "relay".equals(remoteType);
    }

    /** E.g. "ice direct host 127.0.0.1:5000 -> host 127.0.0.1:5001", "ice relay (TURN) relay ... -> relay ...". */
    public String describe() {
        return (relayed() ? "ice relay (TURN) " : "ice direct ") + localType + " " + localAddress + " -> " + remoteType
                + " " + remoteAddress;
    }
}
