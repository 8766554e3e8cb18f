package org.securecomm.client.transport;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter between reconnect (or resend) attempts: the n-th delay in a row
 * is drawn from [d/2, d] with d = min(max, min * 2^n), so clients that lost the same node do not
 * all come back at the same instant, and a relay that stays away is not hammered.
 * Thread-safe (the reconnect loop and a dropped connection's callback share one).
 */
public final class Backoff {

    private final Duration min;
    private final Duration max;
    private final Random random;
    private int failures;

    public Backoff(Duration min, Duration max, Random random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max, not " + min + " and " + max);
        }
        this.min = min;
        this.max = max;
        this.random = random;
    }

    /** The delay before the next attempt; each call without a {@link #reset} doubles its ceiling. */
    public synchronized Duration next() {
        long ceiling = max.toMillis();
        long base = min.toMillis();
        if (failures < 62 && base << failures > 0 && (base << failures) < ceiling) {
            ceiling = base << failures;
        }
        failures++;
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.nextDouble() * (ceiling - half + 1)));
    }

    /** After a success: the next delay starts from {@code min} again. */
    public synchronized void reset() {
        failures = 0;
    }

    public Duration min() {
        return min;
    }

    public Duration max() {
        return max;
    }
}
