package org.securecomm.client.call.media;

/**
 * Normalized cross-correlation of two signals, with a search over lags to undo codec and buffering delay. 1 means
 * the same waveform (up to gain), about 0 unrelated signals, -1 inverted.
 */
public final class AudioCorrelation {

    /** The best alignment: {@code received[i + lag]} matches {@code reference[i]}. */
    public record Match(int lag, double coefficient) {
    }

    private AudioCorrelation() {
    }

    /** Correlation at every lag in {@code -maxLag..maxLag}; returns the highest. */
    public static Match best(short[] reference, short[] received, int maxLag) {
        Match best = new Match(0, at(reference, received, 0));
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double coefficient = at(reference, received, lag);
            if (coefficient > best.coefficient()) {
                best = new Match(lag, coefficient);
            }
        }
        return best;
    }

    /** Correlation over the overlap of {@code reference[i]} and {@code received[i + lag]}; 0 if either is silent. */
    public static double at(short[] reference, short[] received, int lag) {
        int from = Math.max(0, -lag);
        int to = Math.min(reference.length, received.length - lag);
        double cross = 0;
        double energyA = 0;
        double energyB = 0;
        for (int i = from; i < to; i++) {
            double a = reference[i];
            double b = received[i + lag];
            cross += a * b;
            energyA += a * a;
            energyB += b * b;
        }
        return energyA == 0 || energyB == 0 ? 0 : cross / Math.sqrt(energyA * energyB);
    }
}
