package org.securecomm.client.call.video;

/**
 * What a video track sends: the resolution every frame is scaled to before encoding, the frame rate the sender paces
 * its source at, and the JPEG quality (0..1, {@link javax.imageio.ImageWriteParam#setCompressionQuality}).
 */
public record VideoFormat(int width, int height, int frameRate, float quality) {

    /** Largest accepted width or height, so a format can never ask for a frame that could not be sent. */
    public static final int MAX_DIMENSION = 1920;

    /**
     * 320x240 at 15 fps, quality 0.75: enough to recognise a face, about 2 ms to encode and 2 ms to decode a frame
     * (VideoCodecBench), and a few KB a frame (the test pattern: 5.6 KB, 5 datagrams, 0.7 Mbit/s; a detailed camera
     * picture perhaps twice that).
     */
    public static final VideoFormat DEFAULT = new VideoFormat(320, 240, 15, 0.75f);

    public VideoFormat {
        if (width <= 0 || height <= 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("resolution out of range: " + width + "x" + height);
        }
        if (frameRate < 1 || frameRate > 60) {
            throw new IllegalArgumentException("frame rate must be within 1..60: " + frameRate);
        }
        if (!(quality > 0 && quality <= 1)) {
            throw new IllegalArgumentException("quality must be within (0, 1]: " + quality);
        }
    }

    /** The time between two frames. */
    public long frameIntervalMillis() {
        return 1000L / frameRate;
    }
}
