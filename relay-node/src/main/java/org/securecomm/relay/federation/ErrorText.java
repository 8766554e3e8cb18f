package org.securecomm.relay.federation;

import java.util.concurrent.CompletionException;

/** How a failure of a transport or applier is described in logs and status (never payload bytes). */
public final class ErrorText {

    private ErrorText() {
    }

    /** The failure itself (not the CompletionException around it): its class and message. */
    public static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    public static String of(Throwable error) {
        Throwable cause = cause(error);
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
