package org.securecomm.client.call.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.MediaDatagrams;

class VideoPacketizerTest {

    private final VideoPacketizer packetizer = new VideoPacketizer();

    @Test
    void fragmentsFitADatagramAfterSFrameAndJoinBackToTheFrame() {
        assertEquals(MediaDatagrams.MAX_PAYLOAD - MediaDatagrams.PAYLOAD_HEADER - 64, VideoPacketizer.MAX_FRAGMENT_BYTES);
        byte[] data = bytes(10_000, 1);
        List<byte[]> fragments = packetizer.packetize(new EncodedVideoFrame(0x1_2345_6789L, 0, data));
        assertEquals(8, fragments.size());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < fragments.size(); i++) {
            byte[] fragment = fragments.get(i);
            assertTrue(fragment.length <= VideoPacketizer.MAX_FRAGMENT_BYTES);
            ByteBuffer header = ByteBuffer.wrap(fragment);
            assertEquals(0x2345_6789, header.getInt(), "low 32 bits, big-endian");
            assertEquals(i, header.getShort());
            assertEquals(8, header.getShort());
            joined.write(fragment, VideoPacketizer.HEADER_BYTES, fragment.length - VideoPacketizer.HEADER_BYTES);
        }
        assertArrayEquals(data, joined.toByteArray());
        assertEquals(1, packetizer.packetize(new EncodedVideoFrame(0, 0, new byte[1])).size());
        assertThrows(IllegalArgumentException.class,
                () -> packetizer.packetize(new EncodedVideoFrame(0, 0, new byte[VideoPacketizer.MAX_FRAME_BYTES + 1])));
    }

    @Test
    void realFramesSurviveReorderingDuplicatesAndLossOfSomeFragments() throws IOException {
        VideoFormat format = VideoFormat.DEFAULT;
        TestPatternSource pattern = new TestPatternSource(format, 40);
        Random random = new Random(42);
        Set<Long> damaged = Set.of(7L, 8L, 23L, 39L);
        VideoDepacketizer depacketizer = new VideoDepacketizer();
        List<VideoFrame> received = new ArrayList<>();
        long now = 1_000;
        int sentFragments = 0;
        try (VideoEncoder encoder = new VideoEncoder(format); VideoDecoder decoder = new VideoDecoder()) {
            for (VideoFrame frame; (frame = pattern.next()) != null; now += format.frameIntervalMillis()) {
                List<byte[]> fragments = new ArrayList<>(packetizer.packetize(encoder.encode(frame)));
                assertTrue(fragments.size() > 1, "a real frame takes several datagrams");
                sentFragments += fragments.size();
                if (damaged.contains(frame.frameNumber())) {
                    fragments.remove(random.nextInt(fragments.size()));
                }
                fragments.add(fragments.get(random.nextInt(fragments.size()))); // a duplicate
                Collections.shuffle(fragments, random);
                for (byte[] fragment : fragments) {
                    Optional<EncodedVideoFrame> complete = depacketizer.accept(fragment, now);
                    if (complete.isPresent()) {
                        received.add(decoder.decode(complete.get()).orElseThrow());
                    }
                }
            }
            assertEquals(0, decoder.failed());
        }
        assertEquals(40 - damaged.size(), received.size());
        long previous = -1;
        for (VideoFrame frame : received) {
            assertFalse(damaged.contains(frame.frameNumber()));
            assertTrue(frame.frameNumber() > previous, "in order");
            previous = frame.frameNumber();
            assertEquals(OptionalLong.of(frame.frameNumber()), VideoQuality.readFrameNumber(frame));
            assertTrue(VideoQuality.psnr(pattern.frame(frame.frameNumber()), frame) > 25);
        }
        VideoDepacketizer.Stats stats = depacketizer.stats();
        assertEquals(36, stats.completed());
        assertEquals(0, stats.malformed());
        // Frame 39, the last, is still waiting for its missing fragment; the other damaged frames were given up.
        assertEquals(3, stats.droppedIncomplete());
        assertTrue(sentFragments > 40);
        depacketizer.expire(now + VideoDepacketizer.DEFAULT_MAX_WAIT_MILLIS + 100);
        assertEquals(4, depacketizer.stats().droppedIncomplete());
    }

    @Test
    void framesInterleavedAcrossEachOtherLeaveInOrderAndOlderOnesAreGivenUp() {
        VideoDepacketizer depacketizer = new VideoDepacketizer();
        List<byte[]> all = new ArrayList<>();
        for (int frame = 0; frame < 30; frame++) {
            all.addAll(fragments(frame, 3_000));
        }
        Random random = new Random(3);
        for (int i = 0; i < all.size(); i++) { // local reordering: swap with one of the next 4 fragments
            Collections.swap(all, i, Math.min(all.size() - 1, i + random.nextInt(5)));
        }
        List<Long> out = new ArrayList<>();
        for (byte[] fragment : all) {
            depacketizer.accept(fragment, 0).ifPresent(frame -> {
                out.add(frame.frameNumber());
                assertArrayEquals(bytes(3_000, (int) frame.frameNumber()), frame.data());
            });
        }
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i) > out.get(i - 1));
        }
        VideoDepacketizer.Stats stats = depacketizer.stats();
        assertEquals(out.size(), stats.completed());
        assertEquals(30, stats.completed() + stats.droppedIncomplete(), stats.toString());
        assertTrue(stats.completed() >= 20, stats.toString());
    }

    @Test
    void garbageIsDroppedAndCountedWithoutThrowing() {
        VideoDepacketizer depacketizer = new VideoDepacketizer();
        byte[][] bad = {
            null,
            new byte[0],
            header(1, 0, 1, 0), // no slice
            header(1, 0, 0, 10), // count 0
            header(1, 2, 2, 10), // index out of range
            header(1, 0, VideoPacketizer.MAX_FRAGMENTS + 1, 10), // too many fragments
            header(1, 0xFFFF, 0xFFFF, 10),
            header(1, 0, 2, VideoPacketizer.MAX_FRAGMENT_BYTES - VideoPacketizer.HEADER_BYTES + 1), // slice too long
        };
        for (byte[] fragment : bad) {
            assertTrue(depacketizer.accept(fragment, 0).isEmpty());
        }
        assertEquals(bad.length, depacketizer.stats().malformed());

        assertTrue(depacketizer.accept(header(2, 0, 3, 10), 0).isEmpty());
        assertTrue(depacketizer.accept(header(2, 1, 4, 10), 0).isEmpty(), "count disagrees with the first fragment");
        assertEquals(bad.length + 1, depacketizer.stats().malformed());

        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            byte[] noise = new byte[random.nextInt(1500)];
            random.nextBytes(noise);
            depacketizer.accept(noise, i);
        }
        VideoDepacketizer.Stats stats = depacketizer.stats();
        assertTrue(stats.malformed() > 4_000, stats.toString());

        VideoDepacketizer fresh = new VideoDepacketizer();
        List<byte[]> good = fragments(5, 2_000);
        fresh.accept(good.get(0), 0);
        assertTrue(fresh.accept(good.get(0), 0).isEmpty());
        assertTrue(fresh.accept(good.get(1), 0).isPresent());
        assertTrue(fresh.accept(good.get(1), 0).isEmpty(), "a fragment of a delivered frame is late");
        assertEquals(new VideoDepacketizer.Stats(1, 0, 1, 1, 0), fresh.stats());
    }

    @Test
    void anIncompleteFrameIsGivenUpAfterTheWaitAndItsLateFragmentsAreIgnored() {
        VideoDepacketizer depacketizer = new VideoDepacketizer(500, 8);
        List<byte[]> first = fragments(1, 2_000);
        List<byte[]> second = fragments(2, 2_000);
        assertTrue(depacketizer.accept(first.get(0), 0).isEmpty());
        assertTrue(depacketizer.accept(second.get(0), 400).isEmpty());
        assertTrue(depacketizer.accept(first.get(1), 501).isEmpty(), "frame 1 waited too long");
        assertEquals(new VideoDepacketizer.Stats(0, 1, 1, 0, 0), depacketizer.stats());
        Optional<EncodedVideoFrame> frame = depacketizer.accept(second.get(1), 600);
        assertEquals(2, frame.orElseThrow().frameNumber());
        assertEquals(600, frame.get().timestampMillis());
    }

    @Test
    void framesInFlightAreCapped() {
        VideoDepacketizer depacketizer = new VideoDepacketizer(10_000, 3);
        for (int frame = 0; frame < 10; frame++) {
            depacketizer.accept(fragments(frame, 2_000).get(0), 0);
        }
        assertEquals(7, depacketizer.stats().droppedIncomplete());
        for (int frame = 7; frame < 10; frame++) {
            assertEquals(frame, depacketizer.accept(fragments(frame, 2_000).get(1), 0).orElseThrow().frameNumber());
        }
        assertEquals(new VideoDepacketizer.Stats(3, 7, 0, 0, 0), depacketizer.stats());

        VideoDepacketizer full = new VideoDepacketizer(10_000, 3);
        for (int frame = 5; frame < 8; frame++) {
            full.accept(fragments(frame, 2_000).get(0), 0);
        }
        List<byte[]> older = fragments(4, 2_000);
        assertTrue(full.accept(older.get(0), 0).isEmpty(), "older than all held: given up itself");
        assertTrue(full.accept(older.get(1), 0).isEmpty(), "and stays given up");
        assertEquals(new VideoDepacketizer.Stats(0, 1, 1, 0, 0), full.stats());
        assertEquals(5, full.accept(fragments(5, 2_000).get(1), 0).orElseThrow().frameNumber(), "held frames kept");
    }

    @Test
    void frameNumbersWrapAndARestartedSenderIsFollowed() {
        VideoDepacketizer depacketizer = new VideoDepacketizer();
        long[] numbers = {0xFFFF_FFFEL, 0xFFFF_FFFFL, 0, 1};
        for (long number : numbers) {
            List<byte[]> fragments = fragments(number, 1_500);
            depacketizer.accept(fragments.get(1), 0);
            assertEquals(number, depacketizer.accept(fragments.get(0), 0).orElseThrow().frameNumber());
        }
        List<byte[]> far = fragments(5_000, 100);
        assertTrue(depacketizer.accept(far.get(0), 0).isPresent());
        assertTrue(depacketizer.accept(fragments(4_990, 100).get(0), 0).isEmpty(), "a little behind: late");
        assertEquals(0, depacketizer.accept(fragments(0, 100).get(0), 0).orElseThrow().frameNumber(),
                "far behind: the sender started again");
        assertEquals(6, depacketizer.stats().completed());
    }

    @Test
    void underRandomLossReorderingAndNoiseFramesLeaveInOrderIntactAndMemoryStaysBounded() {
        Random random = new Random(99);
        VideoDepacketizer depacketizer = new VideoDepacketizer(200, 4);
        List<byte[]> traffic = new ArrayList<>();
        for (int frame = 0; frame < 300; frame++) {
            for (byte[] fragment : fragments(frame, 1 + random.nextInt(8_000))) {
                if (random.nextInt(20) != 0) { // 5 % loss
                    traffic.add(fragment);
                }
                if (random.nextInt(50) == 0) { // some noise
                    byte[] noise = new byte[random.nextInt(64)];
                    random.nextBytes(noise);
                    traffic.add(noise);
                }
            }
        }
        for (int i = 0; i < traffic.size(); i++) { // reordering over up to 12 datagrams
            Collections.swap(traffic, i, Math.min(traffic.size() - 1, i + random.nextInt(12)));
        }
        long previous = -1;
        long now = 0;
        for (byte[] datagram : traffic) {
            now += random.nextInt(15);
            Optional<EncodedVideoFrame> frame = depacketizer.accept(datagram, now);
            if (frame.isPresent()) {
                long number = frame.get().frameNumber();
                assertTrue(number > previous);
                assertArrayEquals(bytes(frame.get().data().length, (int) number), frame.get().data(), "intact");
                previous = number;
            }
            assertTrue(depacketizer.framesInFlight() <= 4);
        }
        VideoDepacketizer.Stats stats = depacketizer.stats();
        // Swaps carry some fragments far ahead, so many frames are overtaken: a harsh network, but never a frame
        // delivered or given up twice.
        assertTrue(stats.completed() > 50, stats.toString());
        assertTrue(stats.completed() + stats.droppedIncomplete() + depacketizer.framesInFlight() <= 300,
                stats.toString());
    }

    private List<byte[]> fragments(long frameNumber, int size) {
        return packetizer.packetize(new EncodedVideoFrame(frameNumber, 0, bytes(size, (int) frameNumber)));
    }

    private static byte[] header(int frame, int index, int count, int sliceBytes) {
        return ByteBuffer.allocate(VideoPacketizer.HEADER_BYTES + sliceBytes).putInt(frame).putShort((short) index)
                .putShort((short) count).array();
    }

    private static byte[] bytes(int length, int seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }
}
