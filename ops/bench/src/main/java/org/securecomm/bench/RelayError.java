package org.securecomm.bench;

import org.securecomm.protocol.client.v1.Error;
import org.securecomm.protocol.client.v1.ErrorCode;

/** The relay answered a request with an error. */
final class RelayError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Error error;

    RelayError(Error error) {
        super(error.getCode() + ": " + error.getMessage(), null, false, false);
        this.error = error;
    }

    ErrorCode code() {
        return error.getCode();
    }

    Error error() {
        return error;
    }
}
