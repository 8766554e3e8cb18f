package org.securecomm.client.call.media;

import java.util.Arrays;

/** A synthetic tone: a sine of the given frequency and amplitude (0..1 of full scale), endless or of fixed length. */
public final class SineSource implements AudioSource {

    private final double step;
    private final double amplitude;
    private final long totalSamples;
    private long position;

    /** @param totalSamples how many samples before the source ends, or -1 for endless */
    public SineSource(double frequencyHz, double amplitude, long totalSamples) {
        if (amplitude < 0 || amplitude > 1) {
            throw new IllegalArgumentException("amplitude must be within 0..1: " + amplitude);
        }
        this.step = 2 * Math.PI * frequencyHz / CallAudio.SAMPLE_RATE;
        this.amplitude = amplitude * Short.MAX_VALUE;
        this.totalSamples = totalSamples;
    }

    @Override
    public int read(short[] frame) {
        long remaining = totalSamples < 0 ? Long.MAX_VALUE : totalSamples - position;
        if (remaining <= 0) {
            return -1;
        }
        int count = (int) Math.min(frame.length, remaining);
        for (int i = 0; i < count; i++) {
            frame[i] = (short) Math.round(amplitude * Math.sin(step * position++));
        }
        Arrays.fill(frame, count, frame.length, (short) 0);
        return count;
    }
}
