package org.securecomm.federation;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which peers this cluster federates with, and how much it takes from each.
 *
 * <p>The rate limit is a token bucket per origin domain ({@code requestsPerSecond} refill,
 * {@code burst} capacity). Buckets live in a map bounded to {@code maxTrackedOrigins}, least
 * recently used evicted first: forged origins cannot grow memory, and an evicted origin only gets a
 * fresh (full) bucket, i.e. at most one extra burst. The check runs before any signature is
 * verified, to protect CPU; the price is that a forger naming a real origin spends that origin's
 * tokens, which the allow list (or TLS-level filtering) contains.
 */
public final class PeerPolicy {

    /** Default request limit: a transaction of envelopes for a large multi-device account with headroom. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    private final Set<String> allowList;
    private final Set<String> denyList;
    private final int maxRequestBytes;
    private final double requestsPerSecond;
    private final int burst;
    private final int maxTrackedOrigins;
    private final Map<String, Bucket> buckets;

    /**
     * @param allowList         domains allowed to send; empty allows every domain not denied
     * @param denyList          domains never allowed, whatever the allow list says
     * @param maxRequestBytes   the largest SignedRequest taken (TOO_LARGE above)
     * @param requestsPerSecond sustained requests per second per origin
     * @param burst             requests an idle origin may send at once
     * @param maxTrackedOrigins buckets kept at most
     */
    public PeerPolicy(Set<String> allowList, Set<String> denyList, int maxRequestBytes, double requestsPerSecond, int burst,
                      int maxTrackedOrigins) {
        if (maxRequestBytes <= 0 || !(requestsPerSecond > 0) || burst < 1 || maxTrackedOrigins < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.allowList = Set.copyOf(allowList);
        this.denyList = Set.copyOf(denyList);
        this.maxRequestBytes = maxRequestBytes;
        this.requestsPerSecond = requestsPerSecond;
        this.burst = burst;
        this.maxTrackedOrigins = maxTrackedOrigins;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > PeerPolicy.this.maxTrackedOrigins;
            }
        };
    }

    /** Open federation: every domain, 4 MiB requests, 50 requests/s with bursts of 200, 10,000 tracked origins. */
    public static PeerPolicy open() {
        return new PeerPolicy(Set.of(), Set.of(), DEFAULT_MAX_REQUEST_BYTES, 50, 200, 10_000);
    }

    public boolean allows(String origin) {
        return !denyList.contains(origin) && (allowList.isEmpty() || allowList.contains(origin));
    }

    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    public Set<String> allowList() {
        return allowList;
    }

    public Set<String> denyList() {
        return denyList;
    }

    /**
     * Takes one token of {@code origin}'s bucket.
     *
     * @return 0 when the request may proceed, otherwise the whole seconds (at least 1) until a token is back
     */
    public int tryAcquire(String origin, Instant now) {
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        synchronized (buckets) {
            Bucket bucket = buckets.computeIfAbsent(origin, ignored -> new Bucket(burst, nowNanos));
            bucket.refill(nowNanos, requestsPerSecond, burst);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            double seconds = (1 - bucket.tokens) / requestsPerSecond;
            return (int) Math.max(1, Math.ceil(seconds));
        }
    }

    /** How many origins have a bucket now (tests, metrics). */
    public int trackedOrigins() {
        synchronized (buckets) {
            return buckets.size();
        }
    }

    /** Guarded by the map's lock. */
    private static final class Bucket {
        private double tokens;
        private long lastNanos;

        private Bucket(double tokens, long nowNanos) {
            this.tokens = tokens;
            this.lastNanos = nowNanos;
        }

        private void refill(long nowNanos, double perSecond, int capacity) {
            // A clock that steps back adds nothing rather than taking tokens away.
            if (nowNanos > lastNanos) {
                tokens = Math.min(capacity, tokens + (nowNanos - lastNanos) / 1e9 * perSecond);
                lastNanos = nowNanos;
            }
        }
    }
}
