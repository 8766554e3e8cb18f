package org.securecomm.client.call.video;

/**
 * A synthetic video track: colour bars scrolling sideways, a square bouncing over them, and along the bottom the frame
 * number in a code that survives JPEG ({@link VideoQuality#readFrameNumber}), so that a receiver can tell which frames
 * arrived. Deterministic: frame n is the same in every run, so a test can regenerate what was sent.
 */
public final class TestPatternSource implements VideoSource {

    /** White, yellow, cyan, green, magenta, red, blue, black: the classic bars. */
    private static final int[] BARS = {0xFFFFFF, 0xFFFF00, 0x00FFFF, 0x00FF00, 0xFF00FF, 0xFF0000, 0x0000FF, 0x000000};
    private static final int SQUARE_COLOUR = 0xFF8000;

    private final int width;
    private final int height;
    private final int frameRate;
    private final long frameCount;
    private long next;

    /** @param frameCount how many frames before the source ends, or -1 for endless */
    public TestPatternSource(int width, int height, int frameRate, long frameCount) {
        if (width < FrameNumberCode.COLUMNS * 2 || height < 30) {
            throw new IllegalArgumentException("test pattern needs at least 40x30: " + width + "x" + height);
        }
        if (frameRate < 1) {
            throw new IllegalArgumentException("frame rate must be positive: " + frameRate);
        }
        this.width = width;
        this.height = height;
        this.frameRate = frameRate;
        this.frameCount = frameCount;
    }

    /** A pattern at the format's resolution and rate. */
    public TestPatternSource(VideoFormat format, long frameCount) {
        this(format.width(), format.height(), format.frameRate(), frameCount);
    }

    @Override
    public int frameRate() {
        return frameRate;
    }

    @Override
    public VideoFrame next() {
        if (frameCount >= 0 && next >= frameCount) {
            return null;
        }
        VideoFrame frame = frame(next);
        next++;
        return frame;
    }

    /** Frame {@code n} of this pattern, whatever has been read so far. */
    public VideoFrame frame(long n) {
        int[] pixels = new int[width * height];
        int picture = height - FrameNumberCode.bandHeight(height);
        int barWidth = Math.max(1, width / BARS.length);
        long scroll = n * 2;
        for (int y = 0; y < picture; y++) {
            for (int x = 0; x < width; x++) {
                pixels[y * width + x] = BARS[(int) Math.floorMod((x + scroll) / barWidth, (long) BARS.length)];
            }
        }
        int side = Math.max(4, picture / 4);
        int squareX = bounce(n * 3, width - side);
        int squareY = bounce(n * 2, picture - side);
        for (int y = squareY; y < squareY + side; y++) {
            for (int x = squareX; x < squareX + side; x++) {
                pixels[y * width + x] = SQUARE_COLOUR;
            }
        }
        FrameNumberCode.draw(pixels, width, height, n);
        return new VideoFrame(width, height, pixels, n * 1000 / frameRate, n);
    }

    /** Position {@code travel} along a path of length {@code range}, going back and forth. */
    private static int bounce(long travel, int range) {
        if (range <= 0) {
            return 0;
        }
        long phase = travel % (2L * range);
        return (int) (phase < range ? phase : 2L * range - phase);
    }
}
