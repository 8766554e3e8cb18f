package org.securecomm.client.call;

import java.util.concurrent.CompletableFuture;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.protocol.content.v1.IceDescription;

/**
 * The direct (or TURN-relayed) path of a 1:1 call: one ICE agent. The side that offers is the
 * controlling agent; descriptions travel end-to-end encrypted as OFFER and ANSWER signals.
 */
interface DirectPath extends AutoCloseable {

    IceDescription localDescription();

    /** Completes with the transport once connectivity checks succeed, exceptionally when none does. */
    CompletableFuture<MediaTransport> connect(IceDescription remote, boolean controlling);

    @Override
    void close();

    /** Makes the agent of one call; may ask the relay for TURN credentials. */
    interface Factory {
        DirectPath create(CallOptions options);
    }
}
