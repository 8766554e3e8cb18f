package org.securecomm.client.call.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ordering, late drops and concealment of the jitter buffer, with a decoder that tags frames by packet. */
class JitterBufferTest {

    private static final short CONCEALED = -1;

    /** Decodes packet {n} to a frame full of n; conceals with a frame full of -1. */
    private static final class TaggingDecoder implements FrameDecoder {
        @Override
        public short[] decode(byte[] packet) {
            if (packet[0] < 0) {
                throw new IllegalArgumentException("corrupt");
            }
            return filled(packet[0]);
        }

        @Override
        public short[] conceal() {
            return filled(CONCEALED);
        }

        private static short[] filled(int value) {
            short[] frame = new short[CallAudio.FRAME_SAMPLES];
            Arrays.fill(frame, (short) value);
            return frame;
        }
    }

    private static void offer(JitterBuffer buffer, int... sequences) {
        for (int sequence : sequences) {
            buffer.offer(sequence, new byte[] {(byte) sequence});
        }
    }

    private static List<Integer> play(JitterBuffer buffer, int ticks) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < ticks; i++) {
            short[] frame = buffer.poll();
            out.add(frame == null ? null : (int) frame[0]);
        }
        return out;
    }

    @Test
    void reordersAndConcealsGaps() {
        JitterBuffer buffer = new JitterBuffer(new TaggingDecoder(), 3, 50);
        offer(buffer, 2, 0);
        assertNull(buffer.poll(), "still buffering: 2 of 3 packets");
        offer(buffer, 1, 5, 4, 7);
        assertEquals(Arrays.asList(0, 1, 2, -1, 4, 5, -1, 7), play(buffer, 8));
        JitterBuffer.Stats stats = buffer.stats();
        assertEquals(6, stats.played());
        assertEquals(2, stats.concealed());
    }

    @Test
    void dropsLateAndDuplicatePackets() {
        JitterBuffer buffer = new JitterBuffer(new TaggingDecoder(), 2, 50);
        offer(buffer, 10, 11, 13);
        assertEquals(Arrays.asList(10, 11), play(buffer, 2));
        assertFalse(buffer.offer(9, new byte[] {9}), "before the playout point");
        assertFalse(buffer.offer(13, new byte[] {13}), "duplicate");
        assertTrue(buffer.offer(12, new byte[] {12}), "arrived just in time");
        offer(buffer, 14, 15);
        buffer.offer(16, new byte[] {-5}); // undecodable: concealed
        assertEquals(Arrays.asList(12, 13, 14, 15, -1), play(buffer, 5));
        assertEquals(new JitterBuffer.Stats(6, 1, 1, 1, 0), buffer.stats());
    }

    @Test
    void rebuffersAfterALongSilenceAndSkipsAheadWhenFull() {
        JitterBuffer buffer = new JitterBuffer(new TaggingDecoder(), 2, 4);
        offer(buffer, 0, 1);
        assertEquals(Arrays.asList(0, 1, -1, -1, -1, -1, -1, null, null), play(buffer, 9));
        offer(buffer, 20, 21, 22, 23, 24, 25);
        assertEquals(2, buffer.stats().overflowed());
        assertEquals(Arrays.asList(22, 23, 24, 25), play(buffer, 4));
    }
}
