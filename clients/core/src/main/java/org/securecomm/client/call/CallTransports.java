package org.securecomm.client.call;

import java.time.Duration;
import org.securecomm.client.call.transport.ForwarderTransport;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.client.call.transport.MediaTransportException;
import org.securecomm.client.transport.Relay;
import org.securecomm.protocol.client.v1.MediaRoute;

/** The transports a client's calls use: the relay's media forwarder, and ICE for the direct path of 1:1 calls. */
public final class CallTransports {

    private CallTransports() {
    }

    /** Opens this device's route to the forwarder. @throws IllegalStateException when the forwarder does not answer */
    public static MediaTransport forwarder(MediaRoute route, Duration timeout) {
        try {
            return ForwarderTransport.open(route, timeout);
        } catch (MediaTransportException e) {
            throw new IllegalStateException("the relay's media forwarder does not answer: " + e.getMessage(), e);
        }
    }

    /** ICE agents for the direct path of 1:1 calls, with TURN credentials from the relay. */
    public static DirectPath.Factory directPaths(Relay relay) {
        return IceDirectPath.factory(relay, ActiveCall.DIRECT_PATH_TIMEOUT);
    }
}
