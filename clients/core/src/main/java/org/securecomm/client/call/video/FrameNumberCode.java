package org.securecomm.client.call.video;

import java.util.OptionalLong;

/**
 * The machine-readable frame number that {@link TestPatternSource} draws in a band along the bottom of its frames,
 * and its reader ({@link VideoQuality#readFrameNumber}).
 *
 * <p>The band is two rows of {@value #COLUMNS} blocks. Each column holds one bit as a pair: white over black is 1,
 * black over white is 0. Reading compares the two halves of a column rather than a fixed threshold, so a code that
 * JPEG has blurred, darkened or shifted in brightness still reads right; a column whose halves differ by less than
 * {@value #MIN_CONTRAST} levels makes the whole code unreadable instead of wrong. The first two columns are the
 * markers 1 and 0 (nothing else in a frame looks like them by chance); the other {@value #BITS} carry the frame
 * number modulo 2^{@value #BITS}, most significant bit first. At 320x240 a block is 16x8 pixels, aligned with the
 * 8x8 blocks of JPEG, and the band stays readable down to about 40x30.
 */
final class FrameNumberCode {

    static final int COLUMNS = 20;
    static final int BITS = COLUMNS - 2;
    static final long MODULUS = 1L << BITS;
    static final int MIN_CONTRAST = 80;

    private static final int WHITE = 0xFFFFFF;
    private static final int BLACK = 0x000000;

    private FrameNumberCode() {
    }

    /** Height of the band at the bottom of a frame of this height: a multiple of 2, about 1/15 of the frame. */
    static int bandHeight(int frameHeight) {
        return Math.max(2, frameHeight / 15 / 2 * 2);
    }

    /** Draws {@code frameNumber mod 2^BITS} into the bottom band of {@code pixels}. */
    static void draw(int[] pixels, int width, int height, long frameNumber) {
        int band = bandHeight(height);
        int top = height - band;
        int blockWidth = width / COLUMNS;
        long value = Math.floorMod(frameNumber, MODULUS);
        for (int y = top; y < height; y++) {
            boolean upper = y < top + band / 2;
            for (int x = 0; x < width; x++) {
                int column = x / blockWidth;
                int colour = BLACK;
                if (column < COLUMNS) {
                    colour = bit(value, column) == upper ? WHITE : BLACK;
                }
                pixels[y * width + x] = colour;
            }
        }
    }

    /** The number drawn by {@link #draw}, or empty when the band does not hold a readable code. */
    static OptionalLong read(VideoFrame frame) {
        int width = frame.width();
        int height = frame.height();
        int band = bandHeight(height);
        int blockWidth = width / COLUMNS;
        if (blockWidth < 2 || band < 2) {
            return OptionalLong.empty();
        }
        int top = height - band;
        long value = 0;
        for (int column = 0; column < COLUMNS; column++) {
            int x0 = column * blockWidth;
            double upper = meanLuma(frame, x0, top, blockWidth, band / 2);
            double lower = meanLuma(frame, x0, top + band / 2, blockWidth, band / 2);
            if (Math.abs(upper - lower) < MIN_CONTRAST) {
                return OptionalLong.empty();
            }
            boolean one = upper > lower;
            if (column < 2) {
                if (one != (column == 0)) {
                    return OptionalLong.empty();
                }
            } else {
                value = value << 1 | (one ? 1 : 0);
            }
        }
        return OptionalLong.of(value);
    }

    /** Bit of a column: the markers 1, 0, then the value's bits, most significant first. */
    private static boolean bit(long value, int column) {
        if (column < 2) {
            return column == 0;
        }
        return (value >>> (COLUMNS - 1 - column) & 1) == 1;
    }

    /** Mean luma of the middle half of a block, away from edges where compression smears neighbours in. */
    private static double meanLuma(VideoFrame frame, int x0, int y0, int blockWidth, int blockHeight) {
        int xFrom = x0 + blockWidth / 4;
        int xTo = Math.max(xFrom + 1, x0 + blockWidth - blockWidth / 4);
        int yFrom = y0 + blockHeight / 4;
        int yTo = Math.max(yFrom + 1, y0 + blockHeight - blockHeight / 4);
        int[] pixels = frame.pixels();
        long sum = 0;
        for (int y = yFrom; y < yTo; y++) {
            for (int x = xFrom; x < xTo; x++) {
                sum += VideoQuality.luma(pixels[y * frame.width() + x]);
            }
        }
        return (double) sum / ((long) (xTo - xFrom) * (yTo - yFrom));
    }
}
