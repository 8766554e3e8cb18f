package org.securecomm.client.call.video;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * One picture of a video track: {@code width x height} pixels as 0xRRGGBB ints, row by row (the alpha byte is ignored:
 * video has no transparency). Like every record over an array, {@code equals} compares the array by identity: compare
 * pictures with {@link java.util.Arrays#equals(int[], int[])} or {@link VideoQuality#psnr}.
 *
 * @param timestampMillis at the sender, when the frame was captured, in milliseconds since the start of the stream
 *                        (sources give {@code frameNumber * 1000 / frameRate}); at a receiver, when the frame was
 *                        completed, on the clock passed to {@link VideoDepacketizer#accept}
 * @param frameNumber     position in the stream, from 0; on the wire only the low 32 bits travel (unsigned)
 */
public record VideoFrame(int width, int height, int[] pixels, long timestampMillis, long frameNumber) {

    public VideoFrame {
        if (width <= 0 || height <= 0 || (long) width * height != pixels.length) {
            throw new IllegalArgumentException("pixels do not match " + width + "x" + height);
        }
    }

    /**
     * A frame of the pixels of {@code image} (copied, converted to RGB where the image is of another type, alpha
     * cleared so that equal pictures have equal pixels whatever they were read from).
     */
    public static VideoFrame of(BufferedImage image, long timestampMillis, long frameNumber) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] pixels = image.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] &= 0xFFFFFF;
        }
        return new VideoFrame(width, height, pixels, timestampMillis, frameNumber);
    }

    /** The frame as a new RGB image (a copy: drawing on it leaves the frame as it was). */
    public BufferedImage toImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] target = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        System.arraycopy(pixels, 0, target, 0, pixels.length);
        return image;
    }
}
