package org.securecomm.client.call.media;

/** The one audio format of calls: 48 kHz, mono, 16-bit PCM, in 20 ms frames of 960 samples. */
public final class CallAudio {

    public static final int SAMPLE_RATE = 48_000;
    public static final int CHANNELS = 1;
    public static final int BITS_PER_SAMPLE = 16;
    public static final int FRAME_MILLIS = 20;
    public static final int FRAME_SAMPLES = SAMPLE_RATE * FRAME_MILLIS / 1000;

    private CallAudio() {
    }

    static void requireFrame(short[] frame) {
        if (frame.length != FRAME_SAMPLES) {
            throw new IllegalArgumentException("an audio frame has " + FRAME_SAMPLES + " samples, not " + frame.length);
        }
    }
}
