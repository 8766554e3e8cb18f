package org.securecomm.desktop;

import java.util.concurrent.CompletionException;
import org.securecomm.client.transport.RelayException;

/** One line a user can act on, from whatever went wrong. */
final class Errors {

    private Errors() {
    }

    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RelayException relay) {
            return "the relay refused: " + relay.error().getMessage() + " (" + relay.code() + ")";
        }
        if (cause instanceof java.net.ConnectException || cause instanceof java.net.http.HttpTimeoutException
                || cause instanceof java.io.IOException) {
            return "cannot reach the relay: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message.replace('\n', ' ');
    }
}
