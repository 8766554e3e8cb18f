package org.securecomm.client.call.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sender: source, Opus at 32 kb/s, SFrame. Network: 3 % loss, 0-3 ticks of delay (reordering), and 5 % of packets
 * 8 ticks late (dropped by the jitter buffer, so concealed). Receiver: SFrame, jitter buffer, Opus with concealment. The decoded audio must still match the source.
 */
class CallAudioPipelineTest {

    private static final int MAX_LAG = 2 * CallAudio.FRAME_SAMPLES;

    @TempDir
    Path dir;

    /** Result of one simulated call. */
    private record Call(short[] received, JitterBuffer.Stats stats) {
    }

    private static Call transmit(AudioSource source, long seed) throws Exception {
        SFrameSender sender = SFrameSender.create(SFrameCipherSuite.AES_128_GCM_SHA256_128);
        SFrameReceiver receiver = new SFrameReceiver(SFrameCipherSuite.AES_128_GCM_SHA256_128);
        receiver.addKey(sender.currentKey());
        OpusFrameEncoder encoder = new OpusFrameEncoder(32_000);
        JitterBuffer jitter = new JitterBuffer(new OpusFrameDecoder(), 3, 50);
        Random network = new Random(seed);
        List<List<byte[]>> arrivals = new ArrayList<>();
        short[] received = new short[0];
        short[] frame = new short[CallAudio.FRAME_SAMPLES];
        boolean sending = true;
        int lastArrival = 0;
        for (int tick = 0; sending || tick <= lastArrival + 10; tick++) {
            while (arrivals.size() <= tick + 8) {
                arrivals.add(new ArrayList<>());
            }
            if (sending && source.read(frame) > 0) {
                byte[] packet = sender.encrypt(encoder.encode(frame));
                if (network.nextDouble() >= 0.03) {
                    int arrival = tick + (network.nextDouble() < 0.05 ? 8 : network.nextInt(4));
                    arrivals.get(arrival).add(packet);
                    lastArrival = Math.max(lastArrival, arrival);
                }
            } else {
                sending = false;
            }
            for (byte[] packet : arrivals.get(tick)) {
                long sequence = SFrameHeader.decode(packet).ctr(); // a real stream carries its own sequence number
                jitter.offer(sequence, receiver.decrypt(packet));
            }
            short[] played = jitter.poll();
            if (played != null) {
                received = Arrays.copyOf(received, received.length + played.length);
                System.arraycopy(played, 0, received, received.length - played.length, played.length);
            }
        }
        return new Call(received, jitter.stats());
    }

    @Test
    void sineToneSurvivesOpusSframeLossAndReordering() throws Exception {
        int samples = CallAudio.SAMPLE_RATE; // 1 s
        short[] source = WavTestFiles.readAll(new SineSource(440, 0.5, samples));
        Call call = transmit(new SineSource(440, 0.5, samples), 42);

        JitterBuffer.Stats stats = call.stats();
        assertTrue(stats.concealed() > 0 && stats.late() > 0 && stats.played() > 40, stats.toString());
        AudioCorrelation.Match match = AudioCorrelation.best(source, call.received(), MAX_LAG);
        assertTrue(match.coefficient() > 0.8, "440 Hz tone correlation " + match + " " + stats);
        short[] otherTone = WavTestFiles.readAll(new SineSource(1000, 0.5, samples));
        double unrelated = AudioCorrelation.best(otherTone, call.received(), MAX_LAG).coefficient();
        assertTrue(unrelated < 0.2, "1 kHz tone must not match: " + unrelated);
    }

    @Test
    void wavFileSurvivesTheCallAndIsWrittenBack() throws Exception {
        short[] voice = WavTestFiles.voiceLike(CallAudio.SAMPLE_RATE);
        Path input = dir.resolve("in.wav");
        Path output = dir.resolve("out.wav");
        try (WavFileSink sink = new WavFileSink(input)) {
            sink.write(voice);
        }
        Call call = transmit(new WavFileSource(input), 7);
        try (WavFileSink sink = new WavFileSink(output)) {
            sink.write(call.received());
        }
        short[] received = WavTestFiles.readAll(new WavFileSource(output));
        assertArrayEquals(call.received(), received);

        AudioCorrelation.Match match = AudioCorrelation.best(voice, received, MAX_LAG);
        // a harmonic glide loses more waveform to Opus and to concealment than a steady tone does
        assertTrue(match.coefficient() > 0.7, "voice-like signal correlation " + match + " " + call.stats());
        short[] shifted = Arrays.copyOfRange(voice, CallAudio.SAMPLE_RATE / 4, voice.length);
        assertTrue(AudioCorrelation.at(shifted, received, match.lag()) < 0.5, "a wrong alignment must score low");
    }

    @Test
    void correlationFindsAKnownDelay() throws IOException {
        short[] voice = WavTestFiles.voiceLike(CallAudio.SAMPLE_RATE / 2);
        short[] delayed = new short[voice.length + 300];
        System.arraycopy(voice, 0, delayed, 300, voice.length);
        AudioCorrelation.Match match = AudioCorrelation.best(voice, delayed, 1000);
        assertTrue(match.lag() == 300 && match.coefficient() > 0.999, match.toString());
        short[] inverted = new short[voice.length];
        for (int i = 0; i < voice.length; i++) {
            inverted[i] = (short) -voice[i];
        }
        assertTrue(AudioCorrelation.at(voice, inverted, 0) < -0.999);
    }
}
