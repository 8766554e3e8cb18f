package org.securecomm.client.call.media;

import java.util.Arrays;

/**
 * Sliding anti-replay window over the unsigned 64-bit CTR values of one KID. A counter is fresh if it is newer than
 * every accepted one, or within {@code size} of the newest and not yet accepted. Check with {@link #isFresh} before
 * decrypting and {@link #accept} only after the tag verified, so forged frames cannot move the window. Not
 * thread-safe: its owner synchronizes.
 */
final class ReplayWindow {

    private final int size;
    private final long[] seen;
    private boolean empty = true;
    private long highest;

    /** @param size how far back (in counters) reordered frames are still accepted; a power of two, at least 64 */
    ReplayWindow(int size) {
        if (size < 64 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("replay window size must be a power of two >= 64: " + size);
        }
        this.size = size;
        this.seen = new long[size / 64];
    }

    boolean isFresh(long ctr) {
        if (empty || Long.compareUnsigned(ctr, highest) > 0) {
            return true;
        }
        return Long.compareUnsigned(highest - ctr, size) < 0 && !isSet(ctr);
    }

    void accept(long ctr) {
        if (empty || Long.compareUnsigned(ctr, highest) > 0) {
            long advance = empty ? size : ctr - highest;
            if (Long.compareUnsigned(advance, size) >= 0) {
                Arrays.fill(seen, 0L);
            } else {
                for (long c = highest + 1; c != ctr; c++) {
                    clear(c);
                }
            }
            highest = ctr;
            empty = false;
        }
        int slot = slot(ctr);
        seen[slot >>> 6] |= 1L << slot;
    }

    private boolean isSet(long ctr) {
        int slot = slot(ctr);
        return (seen[slot >>> 6] & (1L << slot)) != 0;
    }

    private void clear(long ctr) {
        int slot = slot(ctr);
        seen[slot >>> 6] &= ~(1L << slot);
    }

    private int slot(long ctr) {
        return (int) (ctr & (size - 1));
    }
}
