package org.securecomm.desktop.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallStats;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.SineSource;

/** Checks of group calls where every participant sends a tone of its own. */
public final class GroupCalls {

    private GroupCalls() {
    }

    /** Every probe's device decrypts at least {@code frames} more audio frames from every other probe's device. */
    public static void awaitEveryoneHearsEveryone(List<CallProbe> probes, long frames, Duration timeout) throws InterruptedException {
        for (CallProbe listener : probes) {
            for (CallProbe speakerProbe : probes) {
                SecureCommClient speaker = speakerProbe.client();
                if (speaker != listener.client()) {
                    String label = CallProbe.label(speaker);
                    long start = listener.decryptedFrom(label);
                    TestClients.await(CallProbe.label(listener.client()) + " hears " + label, timeout,
                            () -> listener.decryptedFrom(label) >= start + frames);
                }
            }
        }
    }

    /**
     * Each recorded stream of {@code stats} (but short ones, under {@code minPlayed} frames) sounds
     * like the tone of its sender ({@code tones[i]} is sent by {@code addresses[i]}) and like no other.
     */
    public static void assertEachStreamIsItsSendersTone(CallStats stats, List<String> addresses, double[] tones, long minPlayed)
            throws Exception {
        int checked = 0;
        for (CallStats.Stream stream : stats.streams()) {
            if (stream.played() < minPlayed) {
                continue; // a short stream, e.g. of a device that rejoined
            }
            int sender = addresses.indexOf(stream.participant().substring(0, stream.participant().lastIndexOf('.')));
            short[] recorded = Recordings.readAll(stream.recording());
            for (int tone = 0; tone < tones.length; tone++) {
                short[] reference = Recordings.readAll(new SineSource(tones[tone], 0.5, recorded.length));
                double match = Recordings.bestMatch(reference, recorded, CallAudio.SAMPLE_RATE / (int) tones[tone] + 1).coefficient();
                if (tone == sender) {
                    assertTrue(match > 0.5, stream.participant() + " sounds like its tone: " + match + " (" + recorded.length
                            + " samples recorded, " + stream + ")");
                } else {
                    assertTrue(match < 0.3, stream.participant() + " must not sound like tone " + tones[tone] + ": " + match);
                }
            }
            checked++;
        }
        assertTrue(checked > 0, "no recorded stream to check in " + stats);
    }
}
