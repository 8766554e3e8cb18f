package org.securecomm.client.call.transport;

import java.io.IOException;

/** A media path could not be set up: the forwarder did not answer, ICE found no working pair, TURN refused us. */
public final class MediaTransportException extends IOException {

    public MediaTransportException(String message) {
        super(message);
    }

    public MediaTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
