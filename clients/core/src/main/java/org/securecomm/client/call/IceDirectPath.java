package org.securecomm.client.call;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.securecomm.client.call.transport.IceConfig;
import org.securecomm.client.call.transport.IceSession;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.client.call.transport.MediaTransportException;
import org.securecomm.client.call.transport.TurnServer;
import org.securecomm.client.transport.Relay;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.GetTurnCredentials;
import org.securecomm.protocol.client.v1.TurnCredentials;
import org.securecomm.protocol.content.v1.IceDescription;

/** The direct path of a 1:1 call over one ice4j agent, with the relay's TURN servers as relay candidates. */
final class IceDirectPath implements DirectPath {

    private final IceSession session;
    private final Duration timeout;

    private IceDirectPath(IceSession session, Duration timeout) {
        this.session = session;
        this.timeout = timeout;
    }

    /** Asks the relay for TURN credentials (none configured: host candidates only) and gathers candidates. */
    static DirectPath.Factory factory(Relay relay, Duration timeout) {
        return options -> {
            TurnCredentials turn = relay.call(ClientMessage.newBuilder().setGetTurnCredentials(GetTurnCredentials.newBuilder()))
                    .getTurnCredentials();
            IceConfig config = new IceConfig(options.icePolicy(), TurnServer.from(turn), !options.iceLoopback(), options.iceLoopback());
            try {
                return new IceDirectPath(IceSession.create(config), timeout);
            } catch (MediaTransportException e) {
                throw new IllegalStateException("no direct path: " + e.getMessage(), e);
            }
        };
    }

    @Override
    public IceDescription localDescription() {
        return session.localDescription();
    }

    /** Connectivity checks block: they run on their own thread, never on the client's worker. */
    @Override
    public CompletableFuture<MediaTransport> connect(IceDescription remote, boolean controlling) {
        return OwnThread.run("securecomm-ice-checks", () -> session.connect(remote, controlling, timeout));
    }

    @Override
    public void close() {
        session.close();
    }
}
