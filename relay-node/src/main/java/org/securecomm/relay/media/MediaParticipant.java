package org.securecomm.relay.media;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/** One admitted token of a room: its latched address, its replay window and its counters. */
final class MediaParticipant {

    final long token;
    private final ReplayWindow window = new ReplayWindow();
    // Written under the lock by the thread that accepted a datagram, read by any forwarding thread.
    private volatile InetSocketAddress address;
    private final LongAdder packetsIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder packetsOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    MediaParticipant(long token) {
        this.token = token;
    }

    /**
     * Accepts a datagram unless its hop sequence number is replayed or too old, and latches the
     * sender's address: the first accepted datagram latches it, and a datagram that is the newest
     * so far from another address moves it (NAT rebinding). A replay from elsewhere moves nothing.
     */
    synchronized boolean accept(int hopSeq, InetSocketAddress from, int bytes) {
        ReplayWindow.Verdict verdict = window.check(Integer.toUnsignedLong(hopSeq));
        if (verdict == ReplayWindow.Verdict.REPLAYED) {
            dropped.increment();
            return false;
        }
        if (address == null || (verdict == ReplayWindow.Verdict.NEWEST && !address.equals(from))) {
            address = from;
        }
        packetsIn.increment();
        bytesIn.add(bytes);
        return true;
    }

    /** Null until the first accepted datagram. */
    InetSocketAddress address() {
        return address;
    }

    void sent(int bytes) {
        packetsOut.increment();
        bytesOut.add(bytes);
    }

    void droppedOut() {
        dropped.increment();
    }

    ParticipantStats stats() {
        return new ParticipantStats(packetsIn.sum(), bytesIn.sum(), packetsOut.sum(), bytesOut.sum(), dropped.sum());
    }
}
