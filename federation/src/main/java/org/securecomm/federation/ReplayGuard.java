package org.securecomm.federation;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Remembers which (origin, transaction id) pairs were accepted, so a captured request cannot be
 * applied twice.
 *
 * <p>A request is only accepted while its timestamp is within {@code allowedSkew} of our clock, so
 * a pair needs remembering only until its timestamp is more than the skew in the past; an entry is
 * kept for 2 x skew after it was seen, which covers a timestamp up to one skew in the future.
 *
 * <p>Memory is bounded by {@code maxEntries}. Expired entries are dropped first; when the cap is
 * still reached the oldest entry is evicted, and the guard raises a watermark to that entry's
 * request timestamp: from then on a request whose timestamp is not after the watermark is refused
 * ({@link Verdict#TOO_OLD}) because the guard can no longer prove it is new. Eviction therefore
 * never lets a replay through; under a flood it can only refuse old-but-honest requests, which
 * their origin re-signs with a fresh timestamp and transaction id on retry. Once the evicted
 * timestamps are older than the skew the watermark refuses nothing the skew check would accept.
 */
public final class ReplayGuard {

    /** Outcome of {@link #check}. */
    public enum Verdict {
        /** Never seen: recorded now. */
        FIRST,
        /** Seen already. */
        REPLAYED,
        /** Not after the eviction watermark: cannot be proven new, re-sign and retry. */
        TOO_OLD
    }

    private final long keepMillis;
    private final int maxEntries;
    private final Map<Key, Long> seen = new HashMap<>();
    private final ArrayDeque<Entry> order = new ArrayDeque<>();
    private long watermarkMillis = Long.MIN_VALUE;

    public ReplayGuard(Duration allowedSkew, int maxEntries) {
        if (allowedSkew.isNegative() || allowedSkew.isZero() || maxEntries < 1) {
            throw new IllegalArgumentException("skew and capacity must be positive");
        }
        this.keepMillis = allowedSkew.toMillis() * 2;
        this.maxEntries = maxEntries;
    }

    /**
     * Checks and, when new, records the pair. Call only for requests whose signature verified, so
     * forgeries cannot fill the guard.
     */
    public synchronized Verdict check(String origin, byte[] transactionId, Instant requestTimestamp, Instant now) {
        long nowMillis = now.toEpochMilli();
        expire(nowMillis);
        Key key = new Key(origin, ByteBuffer.wrap(transactionId.clone()));
        if (seen.containsKey(key)) {
            return Verdict.REPLAYED;
        }
        long timestampMillis = requestTimestamp.toEpochMilli();
        if (timestampMillis <= watermarkMillis) {
            return Verdict.TOO_OLD;
        }
        while (seen.size() >= maxEntries) {
            Entry oldest = order.removeFirst();
            seen.remove(oldest.key);
            watermarkMillis = Math.max(watermarkMillis, oldest.timestampMillis);
        }
        seen.put(key, nowMillis + keepMillis);
        order.addLast(new Entry(key, timestampMillis, nowMillis + keepMillis));
        return Verdict.FIRST;
    }

    /** Entries held now (tests, metrics). */
    public synchronized int size() {
        return seen.size();
    }

    private void expire(long nowMillis) {
        // Entries are appended with non-decreasing expiry (now + constant), so expired ones are at
        // the head; a clock stepping back only delays their removal.
        while (!order.isEmpty() && order.peekFirst().expiresAtMillis <= nowMillis) {
            seen.remove(order.removeFirst().key);
        }
    }

    private record Key(String origin, ByteBuffer transactionId) {
    }

    private record Entry(Key key, long timestampMillis, long expiresAtMillis) {
    }
}
