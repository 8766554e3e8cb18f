package org.securecomm.relay.media;

/**
 * The anti-replay window of one token (as IPsec and SRTP do it): the highest hop sequence number
 * accepted so far and a bitmap of the {@value #SIZE} numbers up to it. A number above the highest
 * moves the window; one inside it is accepted once; one below it is too old. Hop sequence
 * numbers are unsigned 32-bit; a token lives for one (re)join, far shorter than a wrap at any
 * packet rate a call has. Not thread-safe: its owner synchronizes.
 */
final class ReplayWindow {

    static final int SIZE = 128;

    enum Verdict { NEWEST, IN_WINDOW, REPLAYED }

    private boolean started;
    private long highest;
    // Bit i of the 128-bit map (low word bits 0-63, high word 64-127): highest - i was accepted.
    private long low;
    private long high;

    Verdict check(long seq) {
        if (!started) {
            started = true;
            highest = seq;
            low = 1;
            return Verdict.NEWEST;
        }
        if (seq > highest) {
            shift(seq - highest);
            highest = seq;
            low |= 1;
            return Verdict.NEWEST;
        }
        long age = highest - seq;
        if (age >= SIZE) {
            return Verdict.REPLAYED;
        }
        long bit = 1L << (age & 63);
        if (age < 64) {
            if ((low & bit) != 0) {
                return Verdict.REPLAYED;
            }
            low |= bit;
        } else {
            if ((high & bit) != 0) {
                return Verdict.REPLAYED;
            }
            high |= bit;
        }
        return Verdict.IN_WINDOW;
    }

    private void shift(long by) {
        if (by >= SIZE) {
            low = 0;
            high = 0;
        } else if (by >= 64) {
            high = low << (by - 64);
            low = 0;
        } else {
            high = (high << by) | (low >>> (64 - by));
            low = low << by;
        }
    }
}
