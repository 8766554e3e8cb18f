package org.securecomm.client.call.video;

import java.util.OptionalLong;

/** Measures of received video for tests and the CLI: how close a frame is to the original, and which frame it is. */
public final class VideoQuality {

    private VideoQuality() {
    }

    /**
     * Peak signal-to-noise ratio between two frames of the same size over the R, G and B channels, in dB;
     * {@link Double#POSITIVE_INFINITY} when they are identical. Around 30 dB and above, a JPEG looks like its original.
     */
    public static double psnr(VideoFrame a, VideoFrame b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("frames differ in size: " + a.width() + "x" + a.height() + " and "
                    + b.width() + "x" + b.height());
        }
        int[] p = a.pixels();
        int[] q = b.pixels();
        double squares = 0;
        for (int i = 0; i < p.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                int d = (p[i] >> shift & 0xFF) - (q[i] >> shift & 0xFF);
                squares += d * d;
            }
        }
        if (squares == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double mse = squares / (3.0 * p.length);
        return 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /**
     * The frame number a {@link TestPatternSource} drew into this frame, modulo 2^18 (262,144 frames: almost five
     * hours at 15 fps), read so that it survives lossy compression and scaling; empty when the frame carries no
     * readable code.
     */
    public static OptionalLong readFrameNumber(VideoFrame frame) {
        return FrameNumberCode.read(frame);
    }

    /** ITU-R BT.601 luma of an RGB pixel, 0..255. */
    static int luma(int rgb) {
        return (299 * (rgb >> 16 & 0xFF) + 587 * (rgb >> 8 & 0xFF) + 114 * (rgb & 0xFF)) / 1000;
    }
}
