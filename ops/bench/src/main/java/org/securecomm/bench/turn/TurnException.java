package org.securecomm.bench.turn;

import java.io.IOException;
import java.util.OptionalInt;

/** A TURN request the server refused (its error code and reason) or never answered. */
public final class TurnException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int code;

    TurnException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The server's error code (e.g. 401, 437, 486), empty when there was no error response. */
    public OptionalInt code() {
        return code > 0 ? OptionalInt.of(code) : OptionalInt.empty();
    }
}
