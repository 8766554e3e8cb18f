package org.securecomm.client.call.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;

/**
 * The machine's default microphone and speaker through javax.sound, where they exist (headless
 * machines, CI and many servers have none: then both are empty and calls send silence and only
 * record). 48 kHz mono 16-bit little-endian, like everything in {@link CallAudio}.
 */
public final class SoundDevices {

    private static final AudioFormat FORMAT = new AudioFormat(CallAudio.SAMPLE_RATE, CallAudio.BITS_PER_SAMPLE, CallAudio.CHANNELS,
            true, false);
    // Four frames of device buffer: enough to ride out scheduling jitter, little added delay.
    private static final int BUFFER_BYTES = 4 * CallAudio.FRAME_SAMPLES * 2;

    private SoundDevices() {
    }

    /** The default capture device, opened and started, or empty when there is none. */
    public static Optional<AudioSource> microphone() {
        try {
            TargetDataLine line = AudioSystem.getTargetDataLine(FORMAT);
            line.open(FORMAT, BUFFER_BYTES);
            line.start();
            return Optional.of(new Microphone(line));
        } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The default playback device, opened and started, or empty when there is none. */
    public static Optional<AudioSink> speaker() {
        try {
            SourceDataLine line = AudioSystem.getSourceDataLine(FORMAT);
            line.open(FORMAT, BUFFER_BYTES);
            line.start();
            return Optional.of(new Speaker(line));
        } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
            return Optional.empty();
        }
    }

    private record Microphone(TargetDataLine line) implements AudioSource {
        @Override
        public int read(short[] frame) {
            byte[] bytes = new byte[frame.length * 2];
            int read = line.read(bytes, 0, bytes.length);
            ByteBuffer.wrap(bytes, 0, read).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(frame, 0, read / 2);
            java.util.Arrays.fill(frame, read / 2, frame.length, (short) 0);
            return frame.length;
        }

        @Override
        public void close() {
            line.stop();
            line.close();
        }
    }

    private record Speaker(SourceDataLine line) implements AudioSink {
        @Override
        public void write(short[] samples, int offset, int length) throws IOException {
            ByteBuffer bytes = ByteBuffer.allocate(length * 2).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asShortBuffer().put(samples, offset, length);
            // Never block the media clock: what does not fit in the device buffer now is dropped.
            int writable = Math.min(line.available(), length * 2) & ~1;
            line.write(bytes.array(), 0, writable);
        }

        @Override
        public void close() {
            line.drain();
            line.stop();
            line.close();
        }
    }
}
