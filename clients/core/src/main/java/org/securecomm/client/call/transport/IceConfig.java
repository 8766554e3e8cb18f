package org.securecomm.client.call.transport;

import java.util.List;
import java.util.Objects;

/**
 * How an {@link IceSession} gathers its candidates.
 *
 * @param policy               which local candidates may be used
 * @param turnServers          TURN servers for relay candidates (required for {@link IcePolicy#RELAY})
 * @param interfaceCandidates  host candidates on the machine's network interfaces (loopback excluded)
 * @param loopbackCandidates   a host candidate on 127.0.0.1: two clients on one machine, tests
 */
public record IceConfig(IcePolicy policy, List<TurnServer> turnServers, boolean interfaceCandidates,
                        boolean loopbackCandidates) {

    public IceConfig {
        Objects.requireNonNull(policy, "policy");
        turnServers = List.copyOf(turnServers);
        if (!interfaceCandidates && !loopbackCandidates) {
            throw new IllegalArgumentException("no host candidates: enable interface or loopback candidates");
        }
        if (policy == IcePolicy.RELAY && turnServers.isEmpty()) {
            throw new IllegalArgumentException("ICE policy RELAY needs at least one TURN server");
        }
    }

    /** Host candidates on the network interfaces, and relay candidates from {@code turnServers}. */
    public static IceConfig of(IcePolicy policy, List<TurnServer> turnServers) {
        return new IceConfig(policy, turnServers, true, false);
    }

    /** Only a 127.0.0.1 host candidate, and relay candidates from {@code turnServers}: peers on this machine. */
    public static IceConfig loopback(IcePolicy policy, List<TurnServer> turnServers) {
        return new IceConfig(policy, turnServers, false, true);
    }

    public IceConfig withLoopbackCandidates(boolean loopback) {
        return new IceConfig(policy, turnServers, interfaceCandidates, loopback);
    }
}
