package org.securecomm.desktop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.media.SoundDevices;
import org.securecomm.client.call.media.WavFileSource;
import org.securecomm.client.call.transport.IcePolicy;
import org.securecomm.client.call.video.ImageSequenceSource;
import org.securecomm.client.call.video.MjpegFileSource;
import org.securecomm.client.call.video.TestPatternSource;
import org.securecomm.client.call.video.VideoFormat;
import org.securecomm.client.call.video.VideoSource;
import picocli.CommandLine.Option;

/** Media options of `call`, `answer` and `calls rejoin`. */
final class MediaOptions {

    @Option(names = "--video", description = "send a video track: a moving test pattern (this CLI has no camera), or --video-from")
    boolean video;

    @Option(names = "--video-from", paramLabel = "DIR|FILE.mjpeg",
            description = "send this as video (implies --video): a directory of PNG/JPEG images in name order, or a Motion-JPEG file; loops")
    Path videoFrom;

    @Option(names = "--send-audio", paramLabel = "FILE.wav",
            description = "send this WAV file (48 kHz mono 16-bit) instead of the microphone; silence after it ends"
                    + " (default: the microphone, or silence where there is no sound device)")
    Path sendAudio;

    @Option(names = "--record", paramLabel = "DIR",
            description = "write what each remote participant sends there, decoded: one WAV per participant stream")
    Path record;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "hang up this long after the call connected (default: stay until the call ends or Ctrl-C)")
    Integer durationSeconds;

    @Option(names = "--ice-policy", paramLabel = "all|relay", defaultValue = "all",
            description = "direct path of a 1:1 call: all candidates (default), or relay: only through the TURN server")
    String icePolicy;

    @Option(names = "--ice-hosts", paramLabel = "interfaces|loopback", defaultValue = "interfaces",
            description = "host candidates of the direct path: the network interfaces (default), or loopback when both ends run on this machine")
    String iceHosts;

    @Option(names = "--key-rotation", paramLabel = "SECONDS", hidden = true,
            description = "rotate this device's media key at least this often (default 300)")
    Integer keyRotationSeconds;

    CallOptions toCallOptions() {
        if (sendAudio != null && !Files.isReadable(sendAudio)) {
            throw new IllegalArgumentException("cannot read " + sendAudio);
        }
        IcePolicy policy = switch (icePolicy) {
            case "all" -> IcePolicy.ALL;
            case "relay" -> IcePolicy.RELAY;
            default -> throw new IllegalArgumentException("--ice-policy is all or relay, not " + icePolicy);
        };
        if (!iceHosts.equals("interfaces") && !iceHosts.equals("loopback")) {
            throw new IllegalArgumentException("--ice-hosts is interfaces or loopback, not " + iceHosts);
        }
        Path wav = sendAudio;
        CallOptions options = CallOptions.defaults().withVideo(videoSource()).withRecordDir(record).withIcePolicy(policy).withIceLoopback(iceHosts.equals("loopback"))
                .withSpeaker(() -> SoundDevices.speaker().orElse(null))
                .withAudio(wav == null ? () -> SoundDevices.microphone().orElse(null) : () -> {
                    try {
                        return new WavFileSource(wav);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read " + wav + ": " + e.getMessage(), e);
                    }
                });
        return keyRotationSeconds == null ? options : options.withKeyRotation(Duration.ofSeconds(keyRotationSeconds));
    }

    private Supplier<VideoSource> videoSource() {
        Path from = videoFrom;
        if (from != null) {
            if (!Files.isReadable(from)) {
                throw new IllegalArgumentException("cannot read " + from);
            }
            return () -> {
                try {
                    return Files.isDirectory(from) ? new ImageSequenceSource(from, VideoFormat.DEFAULT.frameRate(), true)
                            : new MjpegFileSource(from, VideoFormat.DEFAULT.frameRate(), true);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + from + ": " + e.getMessage(), e);
                }
            };
        }
        return video ? () -> new TestPatternSource(VideoFormat.DEFAULT, -1) : null;
    }

    Duration duration() {
        return durationSeconds == null ? null : Duration.ofSeconds(durationSeconds);
    }
}
