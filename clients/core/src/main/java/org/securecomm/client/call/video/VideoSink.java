package org.securecomm.client.call.video;

import java.io.IOException;

/** Where received video goes (a window, a directory of images); frames arrive in increasing frame number order. */
public interface VideoSink extends AutoCloseable {

    void write(VideoFrame frame) throws IOException;

    @Override
    default void close() throws IOException {
    }
}
