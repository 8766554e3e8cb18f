package org.securecomm.client.call.video;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes video frames as Motion-JPEG: each frame scaled to the {@link VideoFormat}'s resolution and compressed on its
 * own as a baseline JPEG by the JDK's {@code javax.imageio} writer, so the codec needs no library and no native code
 * beyond the JDK and runs wherever the client does.
 *
 * <p>Why every frame stands alone (no inter-frame prediction as in H.264 or VP8): a call sends over UDP without
 * retransmission, and a lost fragment makes its frame undecodable. With prediction, that loss would corrupt every
 * following frame until the next key frame, which the receiver would have to request and the sender would have to
 * produce; with independent frames it costs exactly one frame, the next complete frame repairs the picture, and
 * neither side keeps decoder state that can drift apart. The price is bandwidth (roughly 3-5 times that of H.264
 * for the same picture), acceptable at the default 320x240 and 15 fps (around 1 Mbit/s or less).
 *
 * <p>A frame whose JPEG would exceed {@code maxFrameBytes} (a detailed picture at a high quality) is encoded again at
 * lower qualities until it fits, rather than being dropped. Not thread-safe: one encoder per track, used by its send
 * loop.
 */
public final class VideoEncoder implements AutoCloseable {

    /** Lowest quality tried for a frame that does not fit; below it JPEG blocks make the picture useless. */
    static final float MIN_QUALITY = 0.1f;

    private final VideoFormat format;
    private final int maxFrameBytes;
    private final ImageWriter writer;
    private final ImageWriteParam param;
    private final BufferedImage scaled;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(16 * 1024);
    private long requantized;

    /** An encoder whose frames always fit {@link VideoPacketizer#MAX_FRAME_BYTES}. */
    public VideoEncoder(VideoFormat format) {
        this(format, VideoPacketizer.MAX_FRAME_BYTES);
    }

    public VideoEncoder(VideoFormat format, int maxFrameBytes) {
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes too small for any JPEG: " + maxFrameBytes);
        }
        this.format = format;
        this.maxFrameBytes = maxFrameBytes;
        this.writer = ImageIO.getImageWritersByFormatName("jpeg").next(); // in every JDK, as VideoDecoder says
        this.param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        this.scaled = new BufferedImage(format.width(), format.height(), BufferedImage.TYPE_INT_RGB);
    }

    public VideoFormat format() {
        return format;
    }

    /** How many frames had to be encoded at a lower quality than the format's to fit. */
    public long requantized() {
        return requantized;
    }

    /**
     * The frame scaled to the format's resolution and encoded, keeping its frame number and timestamp.
     *
     * @throws IOException when the JPEG writer fails, or the frame does not fit even at the lowest quality
     */
    public EncodedVideoFrame encode(VideoFrame frame) throws IOException {
        BufferedImage image = scale(frame);
        float quality = format.quality();
        byte[] jpeg = compress(image, quality);
        while (jpeg.length > maxFrameBytes && quality > MIN_QUALITY) {
            quality = Math.max(MIN_QUALITY, quality * 0.7f);
            jpeg = compress(image, quality);
            if (jpeg.length <= maxFrameBytes) {
                requantized++;
            }
        }
        if (jpeg.length > maxFrameBytes) {
            throw new IOException("frame " + frame.frameNumber() + " needs " + jpeg.length + " bytes at the lowest "
                    + "quality, more than " + maxFrameBytes);
        }
        return new EncodedVideoFrame(frame.frameNumber(), frame.timestampMillis(), jpeg);
    }

    @Override
    public void close() {
        writer.dispose();
    }

    private BufferedImage scale(VideoFrame frame) {
        if (frame.width() == format.width() && frame.height() == format.height()) {
            scaled.setRGB(0, 0, frame.width(), frame.height(), frame.pixels(), 0, frame.width());
            return scaled;
        }
        Graphics2D graphics = scaled.createGraphics();
        try {
            graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            graphics.drawImage(frame.toImage(), 0, 0, format.width(), format.height(), null);
        } finally {
            graphics.dispose();
        }
        return scaled;
    }

    private byte[] compress(BufferedImage image, float quality) throws IOException {
        buffer.reset();
        param.setCompressionQuality(quality);
        // A memory stream: ImageIO's default for an OutputStream would cache through a temporary file.
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(buffer)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.setOutput(null);
        }
        return buffer.toByteArray();
    }
}
