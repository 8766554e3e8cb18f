package org.securecomm.bench;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator's network side: a few {@link HttpClient}s (each has one selector thread)
 * shared by all connections, one small executor on which every listener runs, a scheduler for
 * timers, and a sweeper that fails requests left unanswered past the request timeout.
 */
final class ClientPool implements AutoCloseable {

    private final List<HttpClient> clients = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final Set<BenchConnection> connections = ConcurrentHashMap.newKeySet();

    /**
     * @param httpClients how many HttpClients (selector threads) to spread the connections over
     * @param ioThreads   threads that run the listeners and completions
     */
    ClientPool(int httpClients, int ioThreads, Duration requestTimeout) {
        this.executor = Executors.newFixedThreadPool(ioThreads, daemon("bench-io"));
        this.scheduler = Executors.newScheduledThreadPool(1, daemon("bench-timer"));
        for (int i = 0; i < httpClients; i++) {
            clients.add(HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(30)).build());
        }
        long timeoutNanos = requestTimeout.toNanos();
        scheduler.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            for (BenchConnection connection : connections) {
                connection.expireRequests(now, timeoutNanos);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    HttpClient nextClient() {
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    }

    void register(BenchConnection connection) {
        connections.add(connection);
        connection.closed().whenComplete((code, e) -> connections.remove(connection));
    }

    int openConnections() {
        return connections.size();
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    int httpClients() {
        return clients.size();
    }

    /** Closes every connection (close handshake, then abort after a few seconds) and stops the threads. */
    @Override
    public void close() {
        List<BenchConnection> open = new ArrayList<>(connections);
        List<CompletableFuture<Integer>> closing = new ArrayList<>(open.size());
        for (BenchConnection connection : open) {
            connection.startClose();
            closing.add(connection.closed());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // whatever is still open gets cut below
        }
        open.forEach(BenchConnection::abort);
        scheduler.shutdownNow();
        executor.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
