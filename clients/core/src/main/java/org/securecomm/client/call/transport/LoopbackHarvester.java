package org.securecomm.client.call.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Component;
import org.ice4j.ice.ComponentSocket;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.AbstractCandidateHarvester;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * A UDP host candidate on 127.0.0.1. ice4j's own host harvester skips loopback interfaces, which is
 * right across machines but leaves two clients on one machine (and tests) without a common path.
 * Does what that harvester does for each address: bind, add the candidate, register its socket with
 * the STUN stack (connectivity checks, TURN) and the component socket (media).
 */
final class LoopbackHarvester extends AbstractCandidateHarvester {

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        try {
            MultiplexingDatagramSocket socket = new MultiplexingDatagramSocket(0, InetAddress.getLoopbackAddress());
            IceUdpSocketWrapper wrapper = new IceUdpSocketWrapper(socket);
            HostCandidate candidate = new HostCandidate(wrapper, component, Transport.UDP);
            if (!component.addLocalCandidate(candidate)) {
                wrapper.close();
                return List.of();
            }
            candidate.getStunStack().addSocket(candidate.getStunSocket(null));
            ComponentSocket componentSocket = component.getComponentSocket();
            if (componentSocket != null) {
                componentSocket.add(wrapper);
            }
            return List.of(candidate);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a UDP socket on 127.0.0.1", e);
        }
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }

    @Override
    public String toString() {
        return "loopback host harvester";
    }
}
