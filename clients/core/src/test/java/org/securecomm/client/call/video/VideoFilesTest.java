package org.securecomm.client.call.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoFilesTest {

    @TempDir
    Path dir;

    private final TestPatternSource pattern = new TestPatternSource(VideoFormat.DEFAULT, -1);

    @Test
    void pngDirectorySinkWritesReadableLosslessPngsNamedByFrameNumber() throws IOException {
        Path out = dir.resolve("record/nested");
        try (PngDirectorySink sink = new PngDirectorySink(out)) {
            for (long n : new long[] {0, 3, 12_345}) {
                sink.write(pattern.frame(n));
            }
            assertEquals(3, sink.written());
            assertEquals(out.resolve("0000012345.png"), sink.fileOf(12_345));
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("0000000000.png", "0000000003.png", "0000012345.png"),
                    files.map(file -> file.getFileName().toString()).sorted().toList(), "no partial files left");
        }
        BufferedImage image = ImageIO.read(out.resolve("0000012345.png").toFile());
        VideoFrame read = VideoFrame.of(image, 0, 12_345);
        assertArrayEquals(pattern.frame(12_345).pixels(), read.pixels());
        assertEquals(OptionalLong.of(12_345), VideoQuality.readFrameNumber(read));
    }

    @Test
    void imageSequenceSourcePlaysPngAndJpegFilesInNameOrderOnceOrLooping() throws IOException {
        // Written out of order, with a JPEG among the PNGs and a file that is no image.
        ImageIO.write(pattern.frame(2).toImage(), "png", dir.resolve("c.png").toFile());
        ImageIO.write(pattern.frame(0).toImage(), "png", dir.resolve("a.PNG").toFile());
        ImageIO.write(pattern.frame(1).toImage(), "jpeg", dir.resolve("b.jpg").toFile());
        Files.writeString(dir.resolve("notes.txt"), "not a frame");
        Files.createDirectory(dir.resolve("d.png"));

        try (ImageSequenceSource source = new ImageSequenceSource(dir, 10, false)) {
            assertEquals(10, source.frameRate());
            assertEquals(3, source.files().size());
            for (long n = 0; n < 3; n++) {
                VideoFrame frame = source.next();
                assertEquals(n, frame.frameNumber());
                assertEquals(n * 100, frame.timestampMillis());
                assertEquals(OptionalLong.of(n), VideoQuality.readFrameNumber(frame), "file of frame " + n);
            }
            assertNull(source.next());
            assertNull(source.next());
        }
        try (ImageSequenceSource source = new ImageSequenceSource(dir, 10, true)) {
            for (long n = 0; n < 7; n++) {
                VideoFrame frame = source.next();
                assertEquals(n, frame.frameNumber(), "numbers keep growing across loops");
                assertEquals(OptionalLong.of(n % 3), VideoQuality.readFrameNumber(frame));
            }
        }
    }

    @Test
    void aRecordingPlaysBackThroughImageSequenceSource() throws IOException {
        try (PngDirectorySink sink = new PngDirectorySink(dir)) {
            for (long n = 8; n < 12; n++) {
                sink.write(pattern.frame(n));
            }
        }
        try (ImageSequenceSource source = new ImageSequenceSource(dir, 15, false)) {
            for (long n = 8; n < 12; n++) {
                VideoFrame frame = source.next();
                assertEquals(Double.POSITIVE_INFINITY, VideoQuality.psnr(pattern.frame(n), frame));
            }
            assertNull(source.next());
        }
    }

    @Test
    void mjpegFileSourcePlaysConcatenatedJpegsOnceOrLooping() throws IOException {
        Path file = dir.resolve("clip.mjpeg");
        try (VideoEncoder encoder = new VideoEncoder(VideoFormat.DEFAULT)) {
            for (long n = 0; n < 3; n++) {
                Files.write(file, encoder.encode(pattern.frame(n)).data(), StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
        try (MjpegFileSource source = new MjpegFileSource(file, 15, false)) {
            for (long n = 0; n < 3; n++) {
                VideoFrame frame = source.next();
                assertEquals(n, frame.frameNumber());
                assertEquals(OptionalLong.of(n), VideoQuality.readFrameNumber(frame));
            }
            assertNull(source.next());
            assertNull(source.next());
        }
        try (MjpegFileSource source = new MjpegFileSource(file, 15, true)) {
            for (long n = 0; n < 8; n++) {
                VideoFrame frame = source.next();
                assertEquals(n, frame.frameNumber());
                assertEquals(OptionalLong.of(n % 3), VideoQuality.readFrameNumber(frame));
            }
        }
        Path empty = Files.createFile(dir.resolve("empty.mjpeg"));
        try (MjpegFileSource source = new MjpegFileSource(empty, 15, true)) {
            assertThrows(IOException.class, source::next);
        }
    }

    @Test
    void anEmptyDirectoryOrAnUnreadableImageIsAnError() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(IOException.class, () -> new ImageSequenceSource(empty, 15, false));
        Files.writeString(dir.resolve("broken.png"), "not a png");
        try (ImageSequenceSource source = new ImageSequenceSource(dir, 15, false)) {
            assertThrows(IOException.class, source::next);
        }
        assertTrue(Files.isDirectory(empty));
    }
}
