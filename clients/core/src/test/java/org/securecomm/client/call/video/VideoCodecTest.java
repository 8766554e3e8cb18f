package org.securecomm.client.call.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VideoCodecTest {

    private final VideoFormat format = VideoFormat.DEFAULT;

    @Test
    void frameNumberCodeSurvivesJpegAtTheDefaultQuality() throws IOException {
        TestPatternSource pattern = new TestPatternSource(format, -1);
        try (VideoEncoder encoder = new VideoEncoder(format); VideoDecoder decoder = new VideoDecoder()) {
            long[] numbers = {0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 1000, 4095, 65535, 123_456,
                    FrameNumberCode.MODULUS - 1};
            for (long n : numbers) {
                VideoFrame sent = pattern.frame(n);
                assertEquals(OptionalLong.of(n), VideoQuality.readFrameNumber(sent), "drawn code of " + n);
                VideoFrame received = decoder.decode(encoder.encode(sent)).orElseThrow();
                assertEquals(OptionalLong.of(n), VideoQuality.readFrameNumber(received), "code of " + n + " after JPEG");
                assertEquals(n, received.frameNumber());
            }
            assertEquals(OptionalLong.of(5), VideoQuality.readFrameNumber(pattern.frame(FrameNumberCode.MODULUS + 5)),
                    "numbers wrap modulo 2^18");
        }
    }

    @Test
    void psnrAtTheDefaultQualityIsAbove25Db() throws IOException {
        TestPatternSource pattern = new TestPatternSource(format, 30);
        try (VideoEncoder encoder = new VideoEncoder(format); VideoDecoder decoder = new VideoDecoder()) {
            for (VideoFrame sent; (sent = pattern.next()) != null; ) {
                EncodedVideoFrame encoded = encoder.encode(sent);
                VideoFrame received = decoder.decode(encoded).orElseThrow();
                assertEquals(format.width(), received.width());
                assertEquals(format.height(), received.height());
                assertEquals(sent.timestampMillis(), received.timestampMillis());
                double psnr = VideoQuality.psnr(sent, received);
                // Saturated colour bars are the worst case for JPEG's halved chroma: about 28-29 dB here,
                // where camera pictures reach 32-38 dB at the same quality.
                assertTrue(psnr > 25, "frame " + sent.frameNumber() + ": " + psnr + " dB");
                assertTrue(encoded.data().length < 40_000, encoded.data().length + " bytes");
            }
            assertEquals(0, encoder.requantized());
        }
    }

    @Test
    void framesOfAnotherSizeAreScaledToTheFormat() throws IOException {
        VideoFrame large = new TestPatternSource(640, 480, 15, 1).frame(777);
        try (VideoEncoder encoder = new VideoEncoder(format); VideoDecoder decoder = new VideoDecoder()) {
            VideoFrame received = decoder.decode(encoder.encode(large)).orElseThrow();
            assertEquals(320, received.width());
            assertEquals(240, received.height());
            assertEquals(OptionalLong.of(777), VideoQuality.readFrameNumber(received));
        }
    }

    @Test
    void aFrameTooLargeIsEncodedAgainAtALowerQualityOrRefused() throws IOException {
        VideoFrame frame = new TestPatternSource(format, 1).frame(9);
        int normal;
        try (VideoEncoder encoder = new VideoEncoder(format)) {
            normal = encoder.encode(frame).data().length;
        }
        try (VideoEncoder tight = new VideoEncoder(format, normal * 2 / 3); VideoDecoder decoder = new VideoDecoder()) {
            EncodedVideoFrame encoded = tight.encode(frame);
            assertTrue(encoded.data().length <= normal * 2 / 3);
            assertEquals(1, tight.requantized());
            assertEquals(OptionalLong.of(9), VideoQuality.readFrameNumber(decoder.decode(encoded).orElseThrow()));
        }
        int[] noise = new Random(1).ints(320 * 240).toArray();
        try (VideoEncoder tiny = new VideoEncoder(format, 1024)) {
            assertThrows(IOException.class, () -> tiny.encode(new VideoFrame(320, 240, noise, 0, 0)));
        }
    }

    @Test
    void theDecoderSkipsGarbageAndOversizedPicturesWithoutThrowing() throws IOException {
        Random random = new Random(7);
        try (VideoEncoder encoder = new VideoEncoder(format); VideoDecoder decoder = new VideoDecoder(200)) {
            byte[] jpeg = encoder.encode(new TestPatternSource(format, 1).frame(3)).data();
            assertFalse(decoder.decode(new EncodedVideoFrame(3, 0, jpeg)).isPresent(), "320 wide is over 200");
            for (int i = 0; i < 50; i++) {
                byte[] garbage = new byte[1 + random.nextInt(2000)];
                random.nextBytes(garbage);
                assertFalse(decoder.decode(new EncodedVideoFrame(i, 0, garbage)).isPresent());
            }
            byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 3);
            decoder.decode(new EncodedVideoFrame(4, 0, truncated));
            byte[] corrupted = jpeg.clone();
            for (int i = 0; i < 40; i++) {
                corrupted[600 + random.nextInt(jpeg.length - 600)] ^= (byte) (1 + random.nextInt(255));
            }
            decoder.decode(new EncodedVideoFrame(5, 0, corrupted));
            assertEquals(0, decoder.decoded() + decoder.failed() - 53);
            assertTrue(decoder.failed() >= 51);
        }
    }

    @Test
    void psnrAndTheCodeReaderOnPlainFrames() {
        VideoFrame grey = new VideoFrame(320, 240, filled(320 * 240, 0x808080), 0, 0);
        VideoFrame lighter = new VideoFrame(320, 240, filled(320 * 240, 0x818181), 0, 0);
        assertEquals(Double.POSITIVE_INFINITY, VideoQuality.psnr(grey, grey));
        assertEquals(48.13, VideoQuality.psnr(grey, lighter), 0.01);
        assertEquals(OptionalLong.empty(), VideoQuality.readFrameNumber(grey));
        assertThrows(IllegalArgumentException.class,
                () -> VideoQuality.psnr(grey, new VideoFrame(2, 1, new int[2], 0, 0)));
    }

    @Test
    void theTestPatternMovesAndEnds() {
        TestPatternSource pattern = new TestPatternSource(format, 2);
        VideoFrame first = pattern.next();
        VideoFrame second = pattern.next();
        assertNull(pattern.next());
        assertEquals(15, pattern.frameRate());
        assertEquals(0, first.timestampMillis());
        assertEquals(66, second.timestampMillis());
        assertNotEquals(Double.POSITIVE_INFINITY, VideoQuality.psnr(first, second));
        assertTrue(Arrays.equals(first.pixels(), new TestPatternSource(format, 1).frame(0).pixels()), "deterministic");
    }

    static int[] filled(int length, int rgb) {
        int[] pixels = new int[length];
        Arrays.fill(pixels, rgb);
        return pixels;
    }
}
