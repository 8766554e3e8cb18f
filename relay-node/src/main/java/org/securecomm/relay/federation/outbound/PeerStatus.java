package org.securecomm.relay.federation.outbound;

import org.securecomm.relay.CborSerializable;

/**
 * One peer queue as it is now. Times are epoch milliseconds, 0 when there is none;
 * {@code lastError} is empty unless the current failure streak has one.
 */
public record PeerStatus(String domain, int depth, long bytes, long oldestEnqueuedAtMillis, long lastSuccessAtMillis,
                         String lastError, long nextAttemptAtMillis, boolean inFlight) implements CborSerializable {
}
