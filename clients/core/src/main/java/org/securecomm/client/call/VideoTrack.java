package org.securecomm.client.call;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.securecomm.client.call.video.VideoEncoder;
import org.securecomm.client.call.video.VideoFormat;
import org.securecomm.client.call.video.VideoFrame;
import org.securecomm.client.call.video.VideoPacketizer;
import org.securecomm.client.call.video.VideoSource;

/**
 * The sending side of this device's video: one frame from the source per frame interval, Motion-JPEG
 * encoded and cut into fragments that each fit one media datagram after SFrame.
 */
final class VideoTrack implements AutoCloseable {

    private final VideoSource source;
    private final VideoEncoder encoder = new VideoEncoder(VideoFormat.DEFAULT);
    private final VideoPacketizer packetizer = new VideoPacketizer();
    private boolean ended;

    VideoTrack(VideoSource source) {
        this.source = source;
    }

    long frameIntervalMillis() {
        return Math.max(1, 1000L / Math.max(1, source.frameRate()));
    }

    /** The fragments of the next frame; empty once the source ended. */
    List<byte[]> nextFragments() throws IOException {
        if (ended) {
            return List.of();
        }
        VideoFrame frame = source.next();
        if (frame == null) {
            ended = true;
            return List.of();
        }
        return new ArrayList<>(packetizer.packetize(encoder.encode(frame)));
    }

    @Override
    public void close() {
        encoder.close();
        try {
            source.close();
        } catch (Exception e) {
            System.getLogger(VideoTrack.class.getName()).log(System.Logger.Level.DEBUG, "closing the video source: " + e);
        }
    }
}
