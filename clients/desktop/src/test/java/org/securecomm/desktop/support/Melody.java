package org.securecomm.desktop.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.WavFileSink;

/**
 * A test signal with structure, unlike a steady tone: notes of random pitch and length, so a
 * recording matches only the melody it came from, and only at the right alignment.
 */
public final class Melody {

    private Melody() {
    }

    /** Writes {@code seconds} of the melody of {@code seed} as a 48 kHz mono WAV. */
    public static Path write(Path wav, long seed, int seconds) throws IOException {
        Random random = new Random(seed);
        short[] samples = new short[CallAudio.SAMPLE_RATE * seconds];
        int i = 0;
        double phase = 0;
        while (i < samples.length) {
            double frequency = 180 + random.nextInt(700);
            int length = CallAudio.SAMPLE_RATE / 10 + random.nextInt(CallAudio.SAMPLE_RATE / 4);
            for (int n = 0; n < length && i < samples.length; n++, i++) {
                phase += 2 * Math.PI * frequency / CallAudio.SAMPLE_RATE;
                samples[i] = (short) (9000 * (Math.sin(phase) + 0.4 * Math.sin(2 * phase)));
            }
        }
        try (WavFileSink sink = new WavFileSink(wav)) {
            sink.write(samples);
        }
        return wav;
    }
}
