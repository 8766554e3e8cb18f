package org.securecomm.client.transport;

import org.securecomm.protocol.client.v1.Error;
import org.securecomm.protocol.client.v1.ErrorCode;

/** The relay answered a request with an error. */
public final class RelayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Error error;

    public RelayException(Error error) {
        super(error.getCode() + ": " + error.getMessage());
        this.error = error;
    }

    public ErrorCode code() {
        return error.getCode();
    }

    public Error error() {
        return error;
    }
}
