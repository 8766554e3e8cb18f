package org.securecomm.client.call.transport;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.securecomm.protocol.content.v1.IceCandidate;

/** Between ice4j's candidates and the content.v1 IceCandidate of an OFFER/ANSWER. */
final class IceCandidates {

    private IceCandidates() {
    }

    static IceCandidate toProto(LocalCandidate candidate) {
        IceCandidate.Builder builder = IceCandidate.newBuilder()
                .setFoundation(candidate.getFoundation())
                .setComponent(candidate.getParentComponent().getComponentID())
                .setProtocol(candidate.getTransport().toString())
                .setPriority(candidate.getPriority())
                .setHost(candidate.getTransportAddress().getHostAddress())
                .setPort(candidate.getTransportAddress().getPort())
                .setType(candidate.getType().toString());
        TransportAddress related = candidate.getRelatedAddress();
        if (related != null) {
            builder.setRelatedHost(related.getHostAddress()).setRelatedPort(related.getPort());
        }
        return builder.build();
    }

    /** Whether this agent can use the candidate: UDP, of our single component, a known type, a port. */
    static boolean usable(IceCandidate candidate, Component component) {
        return "udp".equalsIgnoreCase(candidate.getProtocol())
                && candidate.getComponent() == component.getComponentID()
                && candidate.getPort() > 0 && candidate.getPort() <= 65_535
                && !candidate.getHost().isEmpty()
                && knownType(candidate.getType());
    }

    private static boolean knownType(String type) {
        try {
            CandidateType.parse(type);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static RemoteCandidate toRemote(IceCandidate candidate, Component component) {
        return new RemoteCandidate(new TransportAddress(candidate.getHost(), candidate.getPort(), Transport.UDP),
                component, CandidateType.parse(candidate.getType()), candidate.getFoundation(),
                candidate.getPriority(), null);
    }
}
