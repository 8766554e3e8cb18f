package org.securecomm.relay;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Pekko's Java {@code ask} answers a Scala-backed CompletableFuture whose non-async methods
 * ({@code thenApply}, {@code thenCompose}, {@code whenComplete}...) run their callback through
 * {@code CompletableFuture}'s default executor; on a machine with 2 cores that executor starts a
 * new thread per callback (the common pool has parallelism 1), which cost a thread per envelope.
 * {@link #plain} turns such a stage into an ordinary future completed on the thread that
 * completes the ask.
 */
public final class Asks {

    private Asks() {
    }

    public static <T> CompletableFuture<T> plain(CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.toCompletableFuture().whenCompleteAsync((value, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        }, Runnable::run);
        return result;
    }
}
