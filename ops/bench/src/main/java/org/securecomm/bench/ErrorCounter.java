package org.securecomm.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/** Failures by kind: the relay's error code, or what went wrong on the client side. */
public final class ErrorCounter {

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> examples = new ConcurrentHashMap<>();

    /** Counts a failure; answers its kind. */
    public String count(Throwable failure) {
        Throwable cause = unwrap(failure);
        String kind = kind(cause);
        count(kind);
        examples.putIfAbsent(kind, String.valueOf(cause.getMessage()));
        return kind;
    }

    public void count(String kind) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Adds every count of {@code other} to this one (a total over several workloads). */
    public void add(ErrorCounter other) {
        other.counts.forEach((kind, n) -> counts.computeIfAbsent(kind, k -> new LongAdder()).add(n.sum()));
        other.examples.forEach(examples::putIfAbsent);
    }

    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    public static String kind(Throwable cause) {
        if (cause instanceof RelayError relay) {
            return relay.code().name();
        }
        if (cause instanceof TimeoutException) {
            return "CLIENT_TIMEOUT";
        }
        if (cause instanceof BenchConnection.ConnectionLostException) {
            return "CONNECTION_LOST";
        }
        if (cause instanceof java.net.http.HttpTimeoutException || cause instanceof java.net.ConnectException) {
            return "CONNECT_FAILED";
        }
        return cause.getClass().getSimpleName();
    }

    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }

    public String example(String kind) {
        return examples.get(kind);
    }

    /** "none", or "CODE n, CODE n" */
    public String describe() {
        Map<String, Long> snapshot = snapshot();
        if (snapshot.isEmpty()) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        snapshot.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return text.toString();
    }
}
