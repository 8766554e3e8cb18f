package org.securecomm.relay.federation.outbound;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: after the n-th failure in a row wait
 * {@code min(initial * 2^(n-1), max)} times a random factor in [0.8, 1.2), and never less than the
 * peer's retry-after (itself capped at max, so a peer cannot park its queue for days).
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final DoubleSupplier random;

    Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    Duration delay(int failuresInARow, Optional<Duration> retryAfter) {
        long base = initial.toMillis();
        for (int i = 1; i < failuresInARow && base < max.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, max.toMillis());
        long jittered = Math.max(1, Math.round(base * (0.8 + 0.4 * random.getAsDouble())));
        long hinted = retryAfter.map(d -> Math.min(d.toMillis(), max.toMillis())).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, hinted));
    }
}
