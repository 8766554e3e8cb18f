package org.securecomm.relay.gateway;

import java.time.Duration;
import org.securecomm.protocol.FrameLimits;

/** Per-connection limits, from {@code securecomm.gateway} and {@code securecomm.limits}. */
public record GatewaySettings(
        FrameLimits frameLimits,
        int maxInFlightRequests,
        int outboundBuffer,
        double requestsPerSecond,
        double requestBurst,
        double envelopesPerSecond,
        double envelopeBurst,
        double discoveryHashesPerMinute,
        double discoveryHashBurst,
        double authenticationAttemptsPerMinute,
        double authenticationAttemptBurst,
        Duration frameReadTimeout) {
}
