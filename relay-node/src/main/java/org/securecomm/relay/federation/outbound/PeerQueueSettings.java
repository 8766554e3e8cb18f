package org.securecomm.relay.federation.outbound;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Limits and timings of the outbound federation queues ({@code securecomm.federation.queue}).
 *
 * @param maxBatchPdus   PDUs in one transaction at most
 * @param maxBatchBytes  serialized PDU bytes in one transaction at most (a single larger PDU still goes alone)
 * @param initialBackoff wait after the first failed attempt; doubles per further failure
 * @param maxBackoff     the doubling stops here (jitter of +/-20% applies on top); also caps a peer's retry-after
 * @param maxQueueItems  PDUs queued for one peer before enqueues are answered QueueFull
 * @param maxQueueBytes  serialized PDU bytes queued for one peer before enqueues are answered QueueFull
 * @param idleTimeout    an empty queue with no traffic leaves memory (and stops being remembered) after this
 */
public record PeerQueueSettings(int maxBatchPdus, int maxBatchBytes, Duration initialBackoff, Duration maxBackoff,
                                int maxQueueItems, long maxQueueBytes, Duration idleTimeout) {

    /** Where the keys are; reference.conf documents them and holds the defaults. */
    public static final String PATH = "securecomm.federation.queue";

    public PeerQueueSettings {
        if (maxBatchPdus < 1 || maxBatchBytes < 1 || maxQueueItems < 1 || maxQueueBytes < 1) {
            throw new IllegalArgumentException("federation queue limits must be positive");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("federation backoff needs 0 < initial-backoff <= max-backoff");
        }
    }

    /** Reads {@code securecomm.federation.queue.*} of the node's whole configuration. */
    public static PeerQueueSettings from(Config config) {
        Config queue = config.getConfig(PATH);
        return new PeerQueueSettings(
                queue.getInt("max-batch-pdus"),
                Math.toIntExact(queue.getBytes("max-batch-bytes")),
                queue.getDuration("initial-backoff"),
                queue.getDuration("max-backoff"),
                queue.getInt("max-queue-items"),
                queue.getBytes("max-queue-bytes"),
                queue.getDuration("idle-timeout"));
    }
}
