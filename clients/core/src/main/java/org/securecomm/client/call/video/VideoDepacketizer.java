package org.securecomm.client.call.video;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Reassembles the fragments of one sender's video track ({@link VideoPacketizer}) into frames. Fragments may arrive in
 * any order, twice, or not at all. A frame is handed out as soon as its last fragment arrives, and only if it is newer
 * than every frame handed out before, so frames leave in increasing order. Since every frame decodes on its own,
 * nothing waits for an older frame: when a frame completes, the older ones still incomplete are given up, and their
 * fragments arriving afterwards count as late.
 *
 * <p>Memory is bounded: at most {@code maxFramesInFlight} incomplete frames are held (a new one evicts the oldest),
 * each of at most {@link VideoPacketizer#MAX_FRAGMENTS} slices of at most one fragment, and an incomplete frame is
 * given up {@code maxWaitMillis} after its first fragment. Slices are kept as they arrive rather than in a buffer sized
 * by the claimed count, so a forged count costs nothing.
 *
 * <p>This is the receive path, behind SFrame but still fed by other participants: {@link #accept} never throws.
 * Fragments too short, with a count of 0 or above the maximum, an index outside the count, a slice longer than the
 * largest fragment allows, or a count that disagrees with earlier fragments of the same frame are dropped and counted
 * as malformed. Frame numbers are compared as 32-bit serial numbers, so they may wrap; a frame far behind the newest
 * one ({@value #RESTART_DISTANCE} frames, over a minute at 15 fps) is taken as a restarted sender rather than as
 * late. Thread-safe.
 */
public final class VideoDepacketizer {

    /** Counters of what the depacketizer did so far. */
    public record Stats(long completed, long droppedIncomplete, long late, long duplicates, long malformed) {
    }

    /** Default wait for the rest of a frame: several frame intervals at any sensible rate, well below annoyance. */
    public static final long DEFAULT_MAX_WAIT_MILLIS = 500;
    /** Default number of incomplete frames held: enough for reordering across a few frames. */
    public static final int DEFAULT_MAX_FRAMES_IN_FLIGHT = 8;
    /** How far behind the newest frame a frame must be to be taken as the start of a restarted stream. */
    static final int RESTART_DISTANCE = 1024;

    private static final int MAX_SLICE_BYTES = VideoPacketizer.MAX_FRAGMENT_BYTES - VideoPacketizer.HEADER_BYTES;

    private final long maxWaitMillis;
    private final int maxFramesInFlight;
    private final Map<Integer, Partial> inFlight = new HashMap<>();
    /** Newest frame handed out or given up; only newer frames are accepted. Meaningless while {@code !started}. */
    private int floor;
    private boolean started;
    private long completed;
    private long droppedIncomplete;
    private long late;
    private long duplicates;
    private long malformed;

    /** A depacketizer with the default wait and number of frames in flight. */
    public VideoDepacketizer() {
        this(DEFAULT_MAX_WAIT_MILLIS, DEFAULT_MAX_FRAMES_IN_FLIGHT);
    }

    public VideoDepacketizer(long maxWaitMillis, int maxFramesInFlight) {
        if (maxWaitMillis < 1 || maxFramesInFlight < 1) {
            throw new IllegalArgumentException("need maxWaitMillis >= 1 and maxFramesInFlight >= 1");
        }
        this.maxWaitMillis = maxWaitMillis;
        this.maxFramesInFlight = maxFramesInFlight;
    }

    /**
     * Takes one fragment (the decrypted SFrame plaintext) received at {@code nowMillis} (any monotonic clock in ms),
     * and returns the frame it completes, if it completes one that is still wanted. The frame's timestamp is
     * {@code nowMillis}.
     */
    public synchronized Optional<EncodedVideoFrame> accept(byte[] fragment, long nowMillis) {
        expire(nowMillis);
        if (fragment == null || fragment.length <= VideoPacketizer.HEADER_BYTES) {
            malformed++;
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(fragment);
        int frame = buffer.getInt();
        int index = Short.toUnsignedInt(buffer.getShort());
        int count = Short.toUnsignedInt(buffer.getShort());
        int sliceBytes = buffer.remaining();
        if (count == 0 || count > VideoPacketizer.MAX_FRAGMENTS || index >= count || sliceBytes > MAX_SLICE_BYTES) {
            malformed++;
            return Optional.empty();
        }
        if (started && !newer(frame, floor)) {
            if (floor - frame < RESTART_DISTANCE) {
                late++;
                return Optional.empty();
            }
            restart();
        }
        Partial partial = inFlight.get(frame);
        if (partial == null) {
            if (inFlight.size() >= maxFramesInFlight) {
                int oldest = oldestInFlight();
                if (newer(oldest, frame)) {
                    // The newcomer is older than everything held: it is the one to give up, not a newer frame.
                    giveUpUpTo(frame);
                    droppedIncomplete++;
                    return Optional.empty();
                }
                giveUpUpTo(oldest);
            }
            partial = new Partial(count, nowMillis);
            inFlight.put(frame, partial);
        } else if (partial.slices.length != count) {
            malformed++;
            return Optional.empty();
        }
        if (partial.slices[index] != null) {
            duplicates++;
            return Optional.empty();
        }
        partial.slices[index] = Arrays.copyOfRange(fragment, VideoPacketizer.HEADER_BYTES, fragment.length);
        partial.received++;
        partial.bytes += sliceBytes;
        if (partial.received < count) {
            return Optional.empty();
        }
        inFlight.remove(frame);
        giveUpUpTo(frame);
        completed++;
        return Optional.of(new EncodedVideoFrame(Integer.toUnsignedLong(frame), nowMillis, partial.join()));
    }

    /** Gives up incomplete frames whose first fragment came more than the maximum wait before {@code nowMillis}. */
    public synchronized void expire(long nowMillis) {
        int newestExpired = 0;
        boolean any = false;
        for (Map.Entry<Integer, Partial> entry : inFlight.entrySet()) {
            if (nowMillis - entry.getValue().firstMillis > maxWaitMillis
                    && (!any || newer(entry.getKey(), newestExpired))) {
                newestExpired = entry.getKey();
                any = true;
            }
        }
        if (any) {
            giveUpUpTo(newestExpired);
        }
    }

    public synchronized Stats stats() {
        return new Stats(completed, droppedIncomplete, late, duplicates, malformed);
    }

    /** How many incomplete frames are held now. */
    synchronized int framesInFlight() {
        return inFlight.size();
    }

    /**
     * Raises the floor to {@code frame} (if it is newer) and drops every incomplete frame at or below it: frames are
     * only ever wanted in increasing order.
     */
    private void giveUpUpTo(int frame) {
        if (!started || newer(frame, floor)) {
            floor = frame;
            started = true;
        }
        for (Iterator<Integer> frames = inFlight.keySet().iterator(); frames.hasNext(); ) {
            if (!newer(frames.next(), floor)) {
                frames.remove();
                droppedIncomplete++;
            }
        }
    }

    private int oldestInFlight() {
        Integer oldest = null;
        for (Integer frame : inFlight.keySet()) {
            if (oldest == null || newer(oldest, frame)) {
                oldest = frame;
            }
        }
        return oldest;
    }

    /** The sender started over (new frame numbers far below the old): forget the old stream. */
    private void restart() {
        droppedIncomplete += inFlight.size();
        inFlight.clear();
        started = false;
    }

    /** Serial-number order on 32 bits (RFC 1982 style): true if {@code a} comes after {@code b}. */
    private static boolean newer(int a, int b) {
        return a - b > 0;
    }

    /** The slices of one frame received so far. */
    private static final class Partial {
        final byte[][] slices;
        final long firstMillis;
        int received;
        int bytes;

        Partial(int count, long firstMillis) {
            this.slices = new byte[count][];
            this.firstMillis = firstMillis;
        }

        byte[] join() {
            byte[] data = new byte[bytes];
            int offset = 0;
            for (byte[] slice : slices) {
                System.arraycopy(slice, 0, data, offset, slice.length);
                offset += slice.length;
            }
            return data;
        }
    }
}
