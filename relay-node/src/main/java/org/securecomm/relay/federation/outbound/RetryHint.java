package org.securecomm.relay.federation.outbound;

import java.time.Duration;
import java.util.Optional;

/**
 * Implemented by a {@link PeerTransport} failure that carries the peer's own retry-after (for
 * example a RATE_LIMITED rejection): the queue waits at least that long before the next attempt.
 */
public interface RetryHint {

    Optional<Duration> retryAfter();
}
