package org.securecomm.desktop.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.securecomm.client.call.media.AudioCorrelation;
import org.securecomm.client.call.media.AudioSource;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.WavFileSource;

/** Reading back what a call recorded. */
public final class Recordings {

    private Recordings() {
    }

    public static short[] readAll(Path wav) throws Exception {
        assertTrue(Files.size(wav) > 44, wav + " is empty");
        try (WavFileSource source = new WavFileSource(wav)) {
            return readAll(source);
        }
    }

    public static short[] readAll(AudioSource source) throws Exception {
        short[] all = new short[0];
        short[] frame = new short[CallAudio.FRAME_SAMPLES];
        int n;
        while ((n = source.read(frame)) > 0) {
            all = Arrays.copyOf(all, all.length + n);
            System.arraycopy(frame, 0, all, all.length - n, n);
        }
        return all;
    }

    /**
     * {@link AudioCorrelation#best} in a fraction of its time for long recordings: the lag is
     * searched on every 4th sample (the test signals have nothing above 6 kHz), then refined at
     * full rate around the best coarse lag.
     */
    public static AudioCorrelation.Match bestMatch(short[] reference, short[] recorded, int maxLag) {
        int step = 4;
        AudioCorrelation.Match coarse = AudioCorrelation.best(decimate(reference, step), decimate(recorded, step), maxLag / step);
        AudioCorrelation.Match best = new AudioCorrelation.Match(0, Double.NEGATIVE_INFINITY);
        for (int lag = coarse.lag() * step - step; lag <= coarse.lag() * step + step; lag++) {
            double coefficient = AudioCorrelation.at(reference, recorded, lag);
            if (coefficient > best.coefficient()) {
                best = new AudioCorrelation.Match(lag, coefficient);
            }
        }
        return best;
    }

    private static short[] decimate(short[] samples, int step) {
        short[] kept = new short[samples.length / step];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = samples[i * step];
        }
        return kept;
    }
}
