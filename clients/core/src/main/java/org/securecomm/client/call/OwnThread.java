package org.securecomm.client.call;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Blocking network steps of a call (opening the forwarder route, ICE checks) run on a daemon
 * thread of their own: never on the client's worker, and not on the common pool, which on a
 * 2-core machine starts a thread per task anyway.
 */
final class OwnThread {

    private OwnThread() {
    }

    static <T> CompletableFuture<T> run(String name, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }
}
