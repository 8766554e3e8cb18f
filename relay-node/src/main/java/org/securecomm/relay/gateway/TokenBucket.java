package org.securecomm.relay.gateway;

/**
 * A token bucket: {@code ratePerSecond} tokens refill continuously up to {@code burst}. Used by
 * one connection actor at a time, so it needs no locking.
 */
final class TokenBucket {

    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long lastRefillNanos;

    TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefillNanos = nowNanos;
    }

    /** Takes {@code count} tokens if available; otherwise answers how long until they will be. */
    long tryTake(double count, long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - lastRefillNanos) * ratePerNano);
        lastRefillNanos = nowNanos;
        if (count <= tokens) {
            tokens -= count;
            return 0;
        }
        return (long) Math.ceil((count - tokens) / ratePerNano);
    }
}
