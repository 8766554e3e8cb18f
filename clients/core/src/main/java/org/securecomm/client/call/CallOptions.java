package org.securecomm.client.call;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.securecomm.client.call.media.AudioSink;
import org.securecomm.client.call.media.AudioSource;
import org.securecomm.client.call.transport.IcePolicy;
import org.securecomm.client.call.video.VideoSource;

/**
 * What this device sends and keeps in a call.
 *
 * @param audio       where the microphone signal comes from; null sends silence (headless, no sound device)
 * @param speaker     where the remote participants are heard (mixed); null: nowhere (headless, recording only)
 * @param recordDir   when set, what each remote participant sends is written there as WAV (and video frames)
 * @param videoSource where the video track comes from (camera, test pattern, image sequence); null: audio only
 * @param icePolicy   {@link IcePolicy#RELAY} uses only TURN-relayed candidates on the direct path of a 1:1 call
 * @param iceLoopback host candidates on 127.0.0.1 instead of the network interfaces (both ends on one machine, tests)
 * @param keyRotation longest time one SFrame key is used (membership changes rotate sooner)
 * @param directPath  whether a 1:1 call tries the direct ICE path first (the default); false sends its media through the
 *                    relay's forwarder from the start (a user who does not want the peer to learn its network addresses;
 *                    tests of the forwarder path). Best set on both sides: a device without it neither offers nor answers
 *                    ICE descriptions, so a peer that offers falls back to the forwarder only after its direct-path timeout.
 */
public record CallOptions(Supplier<AudioSource> audio, Supplier<AudioSink> speaker, Path recordDir, Supplier<VideoSource> videoSource, IcePolicy icePolicy,
                          boolean iceLoopback, Duration keyRotation, boolean directPath) {

    public static final Duration DEFAULT_KEY_ROTATION = Duration.ofMinutes(5);

    public CallOptions {
        icePolicy = icePolicy == null ? IcePolicy.ALL : icePolicy;
        keyRotation = keyRotation == null ? DEFAULT_KEY_ROTATION : keyRotation;
        if (keyRotation.isNegative() || keyRotation.isZero()) {
            throw new IllegalArgumentException("the key rotation interval must be positive");
        }
    }

    /** Silence out, nothing recorded, audio only. */
    public static CallOptions defaults() {
        return new CallOptions(null, null, null, null, IcePolicy.ALL, false, DEFAULT_KEY_ROTATION, true);
    }

    public boolean video() {
        return videoSource != null;
    }

    public CallOptions withAudio(Supplier<AudioSource> source) {
        return new CallOptions(source, speaker, recordDir, videoSource, icePolicy, iceLoopback, keyRotation, directPath);
    }

    public CallOptions withSpeaker(Supplier<AudioSink> sink) {
        return new CallOptions(audio, sink, recordDir, videoSource, icePolicy, iceLoopback, keyRotation, directPath);
    }

    public CallOptions withRecordDir(Path dir) {
        return new CallOptions(audio, speaker, dir, videoSource, icePolicy, iceLoopback, keyRotation, directPath);
    }

    public CallOptions withVideo(Supplier<VideoSource> source) {
        return new CallOptions(audio, speaker, recordDir, source, icePolicy, iceLoopback, keyRotation, directPath);
    }

    public CallOptions withIcePolicy(IcePolicy policy) {
        return new CallOptions(audio, speaker, recordDir, videoSource, policy, iceLoopback, keyRotation, directPath);
    }

    public CallOptions withIceLoopback(boolean loopback) {
        return new CallOptions(audio, speaker, recordDir, videoSource, icePolicy, loopback, keyRotation, directPath);
    }

    public CallOptions withKeyRotation(Duration interval) {
        return new CallOptions(audio, speaker, recordDir, videoSource, icePolicy, iceLoopback, interval, directPath);
    }

    /** Whether a 1:1 call tries the direct ICE path before the forwarder (see {@code directPath} above). */
    public CallOptions withDirectPath(boolean tryDirect) {
        return new CallOptions(audio, speaker, recordDir, videoSource, icePolicy, iceLoopback, keyRotation, tryDirect);
    }
}
