package org.securecomm.client.call.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;

/**
 * The microphone and speaker are there exactly when the machine has sound devices; where they
 * are, a frame is read and written at 48 kHz mono; where they are not (CI, servers), asking for
 * them is quiet and calls go on with silence.
 */
class SoundDevicesTest {

    @Test
    void devicesAreUsedWhereTheyExistAndAbsentOtherwise() throws Exception {
        boolean anyMixer = AudioSystem.getMixerInfo().length > 0;
        Optional<AudioSource> microphone = SoundDevices.microphone();
        Optional<AudioSink> speaker = SoundDevices.speaker();
        if (!anyMixer) {
            assertTrue(microphone.isEmpty() && speaker.isEmpty(), "no sound device: nothing to open");
            return;
        }
        if (microphone.isPresent()) {
            try (AudioSource source = microphone.get()) {
                assertEquals(CallAudio.FRAME_SAMPLES, source.read(new short[CallAudio.FRAME_SAMPLES]));
            }
        }
        if (speaker.isPresent()) {
            try (AudioSink sink = speaker.get()) {
                sink.write(new short[CallAudio.FRAME_SAMPLES]);
            }
        }
    }
}
