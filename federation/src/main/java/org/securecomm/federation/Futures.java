package org.securecomm.federation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Stages returned by this module fail with the exception itself (a FederationRejection...), not a
 * CompletionException around it, so callers can test its type in {@code handle}/{@code exceptionally}.
 */
final class Futures {

    private Futures() {
    }

    static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static <T> CompletableFuture<T> unwrapped(CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(cause(error));
            }
        });
        return result;
    }
}
