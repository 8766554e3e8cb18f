package org.securecomm.client.transport;

import java.util.concurrent.CompletableFuture;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Response;

/** A blocking request to the relay this device is authenticated with. */
@FunctionalInterface
public interface Relay {

    /** @throws RelayException on an error response */
    Response call(ClientMessage.Builder request);

    /** A request whose answer nobody waits for on the calling thread (call signals). */
    @FunctionalInterface
    interface Async {
        CompletableFuture<Response> send(ClientMessage.Builder request);
    }
}
