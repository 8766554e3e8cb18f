package org.securecomm.client.call.video;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes frames of a {@link VideoEncoder} (each a complete JPEG) back to pixels at whatever resolution the sender
 * chose. Part of the receive path, so it never throws: a frame that does not decode, or whose header claims a picture
 * larger than {@code maxDimension} (a hostile participant could declare 65535x65535 in a few bytes to exhaust memory),
 * is counted in {@link #failed()} and skipped. Not thread-safe: one decoder per received track.
 */
public final class VideoDecoder implements AutoCloseable {

    private final int maxDimension;
    private final ImageReader reader;
    private long decoded;
    private long failed;

    /** A decoder accepting pictures up to {@link VideoFormat#MAX_DIMENSION} on each side. */
    public VideoDecoder() {
        this(VideoFormat.MAX_DIMENSION);
    }

    public VideoDecoder(int maxDimension) {
        if (maxDimension < 1) {
            throw new IllegalArgumentException("maxDimension must be positive: " + maxDimension);
        }
        this.maxDimension = maxDimension;
        // Every JDK with java.desktop has the JPEG plugin; where javax.imageio is missing (Android) this class is not
        // loadable at all, so there is no missing-plugin case worth handling.
        this.reader = ImageIO.getImageReadersByFormatName("jpeg").next();
    }

    /** The decoded frame with the encoded frame's number and timestamp, or empty when it does not decode. */
    public Optional<VideoFrame> decode(EncodedVideoFrame frame) {
        try (MemoryCacheImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(frame.data()))) {
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (width > maxDimension || height > maxDimension) {
                failed++;
                return Optional.empty();
            }
            BufferedImage image = reader.read(0);
            decoded++;
            return Optional.of(VideoFrame.of(image, frame.timestampMillis(), frame.frameNumber()));
        } catch (IOException | RuntimeException e) {
            // Malformed input can surface from ImageIO as any runtime exception, not only IIOException.
            failed++;
            return Optional.empty();
        } finally {
            reader.setInput(null);
        }
    }

    /** Frames decoded so far. */
    public long decoded() {
        return decoded;
    }

    /** Frames that did not decode or were refused for their size. */
    public long failed() {
        return failed;
    }

    @Override
    public void close() {
        reader.dispose();
    }
}
