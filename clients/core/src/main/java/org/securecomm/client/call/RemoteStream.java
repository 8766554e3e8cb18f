package org.securecomm.client.call;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.JitterBuffer;
import org.securecomm.client.call.media.OpusFrameDecoder;
import org.securecomm.client.call.media.SFrameCipherSuite;
import org.securecomm.client.call.media.SFrameException;
import org.securecomm.client.call.media.SFrameReceiver;
import org.securecomm.client.call.media.SenderKey;
import org.securecomm.client.call.media.WavFileSink;
import org.securecomm.client.call.video.PngDirectorySink;
import org.securecomm.client.call.video.VideoDecoder;
import org.securecomm.client.call.video.VideoDepacketizer;
import org.securecomm.client.call.video.VideoFrame;

/**
 * What this device receives from one remote sender (one source id): its SFrame keys, the audio
 * jitter buffer, its video frames and, when recording, the WAV file of what it said (and its video
 * frames as numbered PNGs beside it). The audio recording is aligned to the
 * sender's sequence numbers, so frames lost before the keys arrived show up as leading silence.
 */
final class RemoteStream implements AutoCloseable {

    private static final int MAX_LEADING_SILENCE_FRAMES = 50 * 60;

    private final String participant;
    private final int sourceId;
    private final SFrameCipherSuite suite;
    private final JitterBuffer jitter = new JitterBuffer(new OpusFrameDecoder(), 3, 50);
    private final Path recording;
    private volatile SFrameReceiver receiver;
    private WavFileSink sink;
    private long firstSeq = -1;
    private volatile long decrypted;
    private volatile long undecryptable;
    private volatile long firstAudioNanos;
    private final VideoDepacketizer depacketizer = new VideoDepacketizer();
    private final VideoDecoder videoDecoder = new VideoDecoder();
    private PngDirectorySink videoSink;
    private boolean closed;
    private volatile long videoFrames;

    RemoteStream(String participant, int sourceId, SFrameCipherSuite suite, Path recordDir) {
        this.participant = participant;
        this.sourceId = sourceId;
        this.suite = suite;
        this.receiver = new SFrameReceiver(suite);
        this.recording = recordDir == null ? null
                : recordDir.resolve(participant.replace('@', '_') + "-" + Integer.toUnsignedString(sourceId, 16) + ".wav");
    }

    String participant() {
        return participant;
    }

    int sourceId() {
        return sourceId;
    }

    Path recording() {
        return recording;
    }

    void addKey(SenderKey key) {
        receiver.addKey(key);
    }

    /** Forgets every key (a test of resync, or a device that lost its state). */
    void dropKeys() {
        receiver = new SFrameReceiver(suite);
    }

    /** Decrypts one audio frame into the jitter buffer. @throws SFrameException when it does not decrypt */
    void receiveAudio(byte[] metadata, int seq, byte[] frame) throws SFrameException {
        byte[] opus;
        try {
            opus = receiver.decrypt(metadata, frame);
        } catch (SFrameException e) {
            undecryptable++;
            throw e;
        }
        if (decrypted++ == 0) {
            firstAudioNanos = System.nanoTime();
        }
        synchronized (this) {
            if (firstSeq < 0) {
                firstSeq = Integer.toUnsignedLong(seq);
            }
        }
        jitter.offer(Integer.toUnsignedLong(seq), opus);
    }

    /** Decrypts one video fragment; a completed frame is decoded and recorded (as numbered PNGs). */
    void receiveVideo(byte[] metadata, byte[] frame) throws SFrameException, IOException {
        byte[] fragment;
        try {
            fragment = receiver.decrypt(metadata, frame);
        } catch (SFrameException e) {
            undecryptable++;
            throw e;
        }
        Optional<VideoFrame> picture = depacketizer.accept(fragment, System.currentTimeMillis()).flatMap(videoDecoder::decode);
        if (picture.isEmpty()) {
            return;
        }
        videoFrames++;
        if (recording != null) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (videoSink == null) {
                    videoSink = new PngDirectorySink(Path.of(recording.toString().replaceFirst("\\.wav$", "-video")));
                }
                videoSink.write(picture.get());
            }
        }
    }

    long videoFrames() {
        return videoFrames;
    }

    /** Called every 20 ms: the next frame to play (recorded when recording), null while buffering. */
    synchronized short[] playout() throws IOException {
        short[] frame = jitter.poll();
        if (frame == null || recording == null || closed) {
            return frame;
        }
        if (sink == null) {
            Files.createDirectories(recording.getParent());
            sink = new WavFileSink(recording);
            short[] silence = new short[CallAudio.FRAME_SAMPLES];
            for (long i = 0; i < Math.min(firstSeq, MAX_LEADING_SILENCE_FRAMES); i++) {
                sink.write(silence);
            }
        }
        sink.write(frame);
        return frame;
    }

    long decrypted() {
        return decrypted;
    }

    long undecryptable() {
        return undecryptable;
    }

    /** System.nanoTime() of the first decrypted frame, 0 before. */
    long firstAudioNanos() {
        return firstAudioNanos;
    }

    JitterBuffer.Stats jitterStats() {
        return jitter.stats();
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        videoDecoder.close();
        if (videoSink != null) {
            videoSink.close();
        }
        if (sink != null) {
            sink.close();
            sink = null;
        }
    }
}
