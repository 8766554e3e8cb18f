package org.securecomm.client.call.media;

import java.io.IOException;
import java.util.Arrays;

/** Test helpers to move whole signals in and out of {@link AudioSource}s. */
final class WavTestFiles {

    private WavTestFiles() {
    }

    static short[] readAll(AudioSource source) throws IOException {
        try (source) {
            short[] all = new short[0];
            short[] frame = new short[CallAudio.FRAME_SAMPLES];
            for (int n; (n = source.read(frame)) > 0; ) {
                all = Arrays.copyOf(all, all.length + n);
                System.arraycopy(frame, 0, all, all.length - n, n);
            }
            return all;
        }
    }

    /** A voice-like test signal: a gliding fundamental with harmonics and a syllable-rate envelope. */
    static short[] voiceLike(int samples) {
        short[] out = new short[samples];
        double phase = 0;
        for (int i = 0; i < samples; i++) {
            double t = (double) i / CallAudio.SAMPLE_RATE;
            phase += 2 * Math.PI * (140 + 60 * Math.sin(2 * Math.PI * 1.3 * t)) / CallAudio.SAMPLE_RATE;
            double envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t);
            double value = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.3 * Math.sin(3 * phase) + 0.2 * Math.sin(5 * phase);
            out[i] = (short) Math.round(6000 * envelope * value);
        }
        return out;
    }
}
