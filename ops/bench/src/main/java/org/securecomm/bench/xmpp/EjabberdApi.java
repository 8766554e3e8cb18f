package org.securecomm.bench.xmpp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * ejabberd's HTTP API (mod_http_api, open to loopback in {@link EjabberdConfig}): bulk registration
 * with many requests in flight (ejabberdctl would start a VM per user, ~0.4 s each), and the counters
 * the benchmark checks its figures against.
 */
public final class EjabberdApi {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("-?\\d+");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String domain;

    EjabberdApi(int port, String domain) {
        this.base = URI.create("http://127.0.0.1:" + port + "/api/");
        this.domain = domain;
    }

    /**
     * Registers {@code count} users named by {@code name} with {@code password}, {@code concurrency}
     * requests in flight; throws on the first failure (a benchmark with missing users means nothing).
     */
    public void register(int count, IntFunction<String> name, String password, int concurrency) {
        Semaphore slots = new Semaphore(concurrency);
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<String>> failed = new ArrayList<>();
        try {
            for (int i = 0; i < count && failures.get() == 0; i++) {
                slots.acquire();
                String user = name.apply(i);
                CompletableFuture<String> call = callAsync("register", "{\"user\":\"" + user + "\",\"host\":\"" + domain
                        + "\",\"password\":\"" + password + "\"}");
                call.whenComplete((body, e) -> {
                    if (e != null) {
                        failures.incrementAndGet();
                        synchronized (failed) {
                            failed.add(call);
                        }
                    }
                    slots.release();
                });
            }
            if (!slots.tryAcquire(concurrency, TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("ejabberd did not answer registrations within " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering users", e);
        }
        synchronized (failed) {
            if (!failed.isEmpty()) {
                throw new IllegalStateException("ejabberd refused to register users (" + failures.get() + " failed): "
                        + failed.get(0).handle((ok, e) -> e.getMessage()).join());
            }
        }
    }

    /** Messages stored for an offline user (mod_offline). */
    public long offlineCount(String user) {
        return number(call("get_offline_count", "{\"user\":\"" + user + "\",\"server\":\"" + domain + "\"}"));
    }

    /** Sessions (bound resources) on the server. */
    public long connectedUsers() {
        return number(call("connected_users_number", "{}"));
    }

    /** The integer of an answer, bare ({@code 5}) or wrapped ({@code {"value":5}}) depending on the command. */
    private static long number(String body) {
        java.util.regex.Matcher m = NUMBER.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("ejabberd's API answered without a number: " + body);
        }
        return Long.parseLong(m.group());
    }

    private String call(String command, String json) {
        try {
            return callAsync(command, json).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling ejabberd's /api/" + command, e);
        } catch (Exception e) {
            throw new IllegalStateException("ejabberd's /api/" + command + " failed: " + e.getMessage(), e);
        }
    }

    private CompletableFuture<String> callAsync(String command, String json) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(command)).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(new IOException("/api/" + command + " answered " + response.statusCode() + ": "
                        + response.body()));
            }
            return response.body();
        });
    }
}
