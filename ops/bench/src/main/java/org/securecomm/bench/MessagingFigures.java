package org.securecomm.bench;

import org.HdrHistogram.Histogram;

/**
 * One system's figures of the messaging comparison. Store phase: senders send while recipients are
 * offline (or, {@code online}, connected), {@code accepted} = what the server confirmed (XEP-0198 ack,
 * relay response), {@code acceptMicros} = send to confirmation. Drain phase (offline only): the
 * recipients connect and receive everything; {@code delivered} counts distinct message ids,
 * duplicates the repeats, missing = accepted - delivered.
 */
public record MessagingFigures(String system, boolean online, int senders, long sent, long accepted, double storeSeconds,
                               Histogram acceptMicros, CpuWindow.Usage storeCpu, long stored, long delivered, long duplicates,
                               double drainSeconds, CpuWindow.Usage drainCpu, int bytesUp, int bytesDown, String errors) {

    public double acceptedPerSecond() {
        return storeSeconds <= 0 ? 0 : accepted / storeSeconds;
    }

    public double deliveredPerSecond() {
        return drainSeconds <= 0 ? 0 : delivered / drainSeconds;
    }

    public long missing() {
        return Math.max(0, accepted - delivered);
    }
}
