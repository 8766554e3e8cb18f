package org.securecomm.desktop.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
}
