package org.securecomm.client.call;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.securecomm.client.call.media.AudioSink;
import org.securecomm.client.call.media.AudioSource;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.OpusFrameEncoder;
import org.securecomm.client.call.media.SFrameCipherSuite;
import org.securecomm.client.call.media.SFrameException;
import org.securecomm.client.call.media.SFrameSender;
import org.securecomm.client.call.media.SenderKey;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.client.call.video.VideoSource;
import org.securecomm.protocol.MediaDatagrams;

/**
 * The media of one call on this device: every 20 ms it reads a frame from the audio source, Opus
 * encodes it, SFrame-encrypts it under this device's current sender key and sends it on the
 * current path (video likewise: one Motion-JPEG frame per frame interval, in fragments); it
 * decrypts what arrives per sender (source id) into jitter buffers and plays them out, mixed, on
 * the speaker (and records them). Keys never leave this class except through {@link #currentKey()}
 * and {@link #rotate()}, which the caller seals for each participant.
 */
final class CallMedia implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CallMedia.class.getName());
    static final SFrameCipherSuite SUITE = SFrameCipherSuite.AES_128_GCM_SHA256_128;
    private static final int OPUS_BITRATE = 32_000;
    private static final long KEY_REQUEST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** What the media needs from the call around it. */
    interface Signals {
        /** A frame from {@code sourceId} used a key this device does not have: ask its sender. */
        void keyMissing(int sourceId, long kid);
    }

    private final int sourceId;
    private final SFrameSender sender;
    private final OpusFrameEncoder encoder = new OpusFrameEncoder(OPUS_BITRATE);
    private final AudioSource source;
    private final AudioSink speaker;
    private final short[] mix = new short[CallAudio.FRAME_SAMPLES];
    private final Path recordDir;
    private final Signals signals;
    private final Map<Integer, RemoteStream> streams = new ConcurrentHashMap<>();
    private final Map<Integer, Long> lastKeyRequest = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private final short[] frame = new short[CallAudio.FRAME_SAMPLES];
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile MediaTransport path;
    private boolean sourceEnded;
    private int audioSeq;
    private final VideoTrack video;
    private int videoSeq;

    CallMedia(AudioSource source, AudioSink speaker, VideoSource video, Path recordDir, Signals signals) {
        SecureRandom random = new SecureRandom();
        this.sourceId = random.nextInt() | 1; // never 0, so 0 can mean "none" in logs
        this.sender = new SFrameSender(SUITE, random, Integer.toUnsignedLong(random.nextInt()));
        this.source = source;
        this.speaker = speaker;
        this.recordDir = recordDir;
        this.signals = signals;
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "securecomm-call-media");
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            return thread;
        });
        ticker.scheduleAtFixedRate(this::tick, CallAudio.FRAME_MILLIS, CallAudio.FRAME_MILLIS, TimeUnit.MILLISECONDS);
        this.video = video == null ? null : new VideoTrack(video);
        if (this.video != null) {
            long every = this.video.frameIntervalMillis();
            ticker.scheduleAtFixedRate(this::videoTick, every, every, TimeUnit.MILLISECONDS);
        }
    }

    int sourceId() {
        return sourceId;
    }

    SenderKey currentKey() {
        return sender.currentKey();
    }

    /** A fresh sender key (membership changed, or the interval passed); distribute it. */
    SenderKey rotate() {
        return sender.rotate();
    }

    /** Where audio goes from now on; null holds it (no path yet): the source is not read meanwhile. */
    void sendVia(MediaTransport transport) {
        this.path = transport;
    }

    MediaTransport path() {
        return path;
    }

    /**
     * A key of a remote sender, from a KEY signal of {@code participant}. A source id belongs to the
     * participant that first sent a key for it: another participant cannot put its keys there and
     * pass its frames off as someone else's.
     */
    void addKey(String participant, int remoteSourceId, SenderKey key) {
        RemoteStream stream = streams.computeIfAbsent(remoteSourceId, id -> new RemoteStream(participant, id, SUITE, recordDir));
        if (!stream.participant().equals(participant)) {
            LOG.log(System.Logger.Level.WARNING, "ignoring a key of " + participant + " for the media source of " + stream.participant());
            return;
        }
        stream.addKey(key);
    }

    /** Which participant sends {@code remoteSourceId}, if a key of it arrived. */
    String participantOf(int remoteSourceId) {
        RemoteStream stream = streams.get(remoteSourceId);
        return stream == null ? null : stream.participant();
    }

    /** Forgets every remote key (resync test; a device that lost its state behaves the same). */
    void dropRemoteKeys() {
        streams.values().forEach(RemoteStream::dropKeys);
    }

    /** A payload from a transport (any thread). Anything malformed or undecryptable is counted and dropped. */
    void receive(byte[] payload) {
        if (payload.length <= MediaDatagrams.PAYLOAD_HEADER) {
            malformed.incrementAndGet();
            return;
        }
        ByteBuffer header = ByteBuffer.wrap(payload, 0, MediaDatagrams.PAYLOAD_HEADER);
        int remoteSource = header.getInt();
        byte kind = header.get();
        int seq = header.getInt();
        byte[] metadata = java.util.Arrays.copyOf(payload, MediaDatagrams.PAYLOAD_HEADER);
        byte[] sframe = java.util.Arrays.copyOfRange(payload, MediaDatagrams.PAYLOAD_HEADER, payload.length);
        RemoteStream stream = streams.get(remoteSource);
        if (stream == null) {
            requestKey(remoteSource, -1);
            return;
        }
        try {
            if (kind == MediaDatagrams.KIND_AUDIO) {
                stream.receiveAudio(metadata, seq, sframe);
            } else if (kind == MediaDatagrams.KIND_VIDEO) {
                stream.receiveVideo(metadata, sframe);
            } else {
                malformed.incrementAndGet();
            }
        } catch (SFrameException e) {
            if (e.reason() == SFrameException.Reason.UNKNOWN_KEY_ID) {
                requestKey(remoteSource, e.keyId());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "recording video: " + e);
        }
    }

    private void requestKey(int remoteSource, long kid) {
        long now = System.nanoTime();
        Long last = lastKeyRequest.get(remoteSource);
        if (last == null || now - last > KEY_REQUEST_INTERVAL_NANOS) {
            lastKeyRequest.put(remoteSource, now);
            signals.keyMissing(remoteSource, kid);
        }
    }

    private void tick() {
        try {
            MediaTransport current = path;
            if (current != null) {
                sendAudio(current);
            }
            java.util.Arrays.fill(mix, (short) 0);
            boolean heard = false;
            for (RemoteStream stream : streams.values()) {
                short[] played = stream.playout();
                if (played != null) {
                    heard = true;
                    for (int i = 0; i < mix.length && i < played.length; i++) {
                        mix[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, mix[i] + played[i]));
                    }
                }
            }
            if (heard && speaker != null) {
                speaker.write(mix);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "call media: " + e);
        }
    }

    private void sendAudio(MediaTransport transport) throws IOException {
        if (source == null || sourceEnded || source.read(frame) < 0) {
            sourceEnded = true;
            java.util.Arrays.fill(frame, (short) 0);
        }
        transport.send(seal(MediaDatagrams.KIND_AUDIO, audioSeq++, encoder.encode(frame)));
        sent.incrementAndGet();
    }

    private void videoTick() {
        MediaTransport current = path;
        if (current == null) {
            return;
        }
        try {
            for (byte[] fragment : video.nextFragments()) {
                current.send(seal(MediaDatagrams.KIND_VIDEO, videoSeq++, fragment));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "call video: " + e);
        }
    }

    /** The end-to-end payload: header (also the SFrame metadata) and the SFrame ciphertext of {@code media}. */
    private byte[] seal(byte kind, int seq, byte[] media) {
        byte[] metadata = MediaDatagrams.payloadHeader(sourceId, kind, seq);
        byte[] sframe = sender.encrypt(metadata, media);
        byte[] payload = new byte[metadata.length + sframe.length];
        System.arraycopy(metadata, 0, payload, 0, metadata.length);
        System.arraycopy(sframe, 0, payload, metadata.length, sframe.length);
        return payload;
    }

    CallStats stats() {
        List<CallStats.Stream> list = new ArrayList<>();
        for (RemoteStream s : streams.values()) {
            var jitter = s.jitterStats();
            list.add(new CallStats.Stream(s.participant(), s.sourceId(), s.decrypted(), s.undecryptable(), jitter.played(),
                    jitter.concealed(), s.videoFrames(), s.firstAudioNanos(), s.recording()));
        }
        return new CallStats(sent.get(), malformed.get(), list);
    }

    @Override
    public void close() {
        // shutdown, not shutdownNow: an interrupt in the middle of a write would close the
        // recording's file channel and lose its header.
        ticker.shutdown();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (RemoteStream stream : streams.values()) {
            try {
                stream.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing a recording: " + e);
            }
        }
        if (video != null) {
            video.close();
        }
        if (speaker != null) {
            try {
                speaker.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the speaker: " + e);
            }
        }
        if (source != null) {
            try {
                source.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the audio source: " + e);
            }
        }
    }
}
