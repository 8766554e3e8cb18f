package org.securecomm.bench;

import picocli.CommandLine.Option;

/**
 * The media streams' command-line options (a picocli mixin), shared by {@code --scenario forwarder} and
 * the {@code coturn} comparison so both describe the same streams the same way.
 */
final class MediaStreamOptions {

    @Option(names = "--rooms", paramLabel = "N", defaultValue = "100", description = "media: calls (default: ${DEFAULT-VALUE})")
    int rooms;

    @Option(names = "--participants", paramLabel = "N", defaultValue = "5", description = "media: devices per call (default: ${DEFAULT-VALUE})")
    int participants;

    @Option(names = "--packet-rate", paramLabel = "N", defaultValue = "50",
            description = "media: packets per second each device sends (50: 20 ms audio frames) (default: ${DEFAULT-VALUE})")
    int packetRate;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "160",
            description = "media: end-to-end payload bytes per packet (default: ${DEFAULT-VALUE})")
    int payloadBytes;

    @Option(names = "--forwarder-warmup", paramLabel = "SECONDS", defaultValue = "10",
            description = "media: warm-up of each run before it is measured (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--forwarder-threads", paramLabel = "N", defaultValue = "1",
            description = "media: the forwarder's I/O threads (securecomm.media.threads) (default: ${DEFAULT-VALUE})")
    int forwarderThreads;

    /** The streams at {@code packetRate}, measured for {@code durationSeconds}. */
    MediaLoad.Shape shape(int packetRate, int durationSeconds, int progressSeconds) {
        return new MediaLoad.Shape(rooms, participants, packetRate, payloadBytes, warmupSeconds, durationSeconds, progressSeconds);
    }
}
