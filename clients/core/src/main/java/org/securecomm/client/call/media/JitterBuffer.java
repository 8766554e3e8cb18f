package org.securecomm.client.call.media;

import java.util.TreeMap;

/**
 * Receive-side jitter buffer for one audio stream, keyed by the sender's packet sequence number (a 64-bit counter
 * that only grows; unwrap 16-bit RTP numbers before offering). Packets may arrive in any order; playout waits until
 * {@code targetDepth} packets are buffered, then {@link #poll()} (called once per 20 ms) yields frames in sequence
 * order, filling each gap with the decoder's loss concealment. Packets older than the playout point are dropped as
 * late. After {@code maxConcealed} concealed frames with nothing buffered the stream counts as paused and playout
 * buffers again. Thread-safe.
 */
public final class JitterBuffer {

    /** Counters of what the buffer did so far. */
    public record Stats(long played, long concealed, long late, long duplicates, long overflowed) {
    }

    private final FrameDecoder decoder;
    private final int targetDepth;
    private final int capacity;
    private final int maxConcealed;
    private final TreeMap<Long, byte[]> packets = new TreeMap<>();
    private boolean playing;
    private boolean started;
    private long next;
    private int concealedInRow;
    private long played;
    private long concealed;
    private long late;
    private long duplicates;
    private long overflowed;

    /**
     * @param targetDepth packets to hold before playout starts (each adds 20 ms of delay, e.g. 3)
     * @param capacity    most packets held; beyond it the oldest are dropped and playout skips ahead
     */
    public JitterBuffer(FrameDecoder decoder, int targetDepth, int capacity) {
        if (targetDepth < 1 || capacity < targetDepth) {
            throw new IllegalArgumentException("need 1 <= targetDepth <= capacity");
        }
        this.decoder = decoder;
        this.targetDepth = targetDepth;
        this.capacity = capacity;
        this.maxConcealed = Math.max(5, targetDepth);
    }

    /** Adds a received packet; false if it was dropped (late or duplicate). */
    public synchronized boolean offer(long sequence, byte[] payload) {
        if (started && sequence < next) {
            late++;
            return false;
        }
        if (packets.putIfAbsent(sequence, payload) != null) {
            duplicates++;
            return false;
        }
        while (packets.size() > capacity) {
            packets.pollFirstEntry();
            overflowed++;
            if (playing) {
                next = packets.firstKey();
            }
        }
        return true;
    }

    /** The next 20 ms frame to play, or null while buffering (nothing to play yet). */
    public synchronized short[] poll() {
        if (!playing) {
            if (packets.size() < targetDepth) {
                return null;
            }
            playing = true;
            started = true;
            next = packets.firstKey();
        }
        byte[] packet = packets.remove(next++);
        if (packet != null) {
            try {
                short[] frame = decoder.decode(packet);
                concealedInRow = 0;
                played++;
                return frame;
            } catch (IllegalArgumentException undecodable) {
                // treated as lost below
            }
        }
        concealed++;
        if (++concealedInRow >= maxConcealed && packets.isEmpty()) {
            playing = false;
            concealedInRow = 0;
        }
        return decoder.conceal();
    }

    public synchronized int buffered() {
        return packets.size();
    }

    public synchronized Stats stats() {
        return new Stats(played, concealed, late, duplicates, overflowed);
    }
}
