package org.securecomm.client.call.video;

import java.io.IOException;

/**
 * Where a video track comes from (camera, generator, image files). The caller paces it: it asks for one frame every
 * {@code 1000 / frameRate()} ms; a generator or file source answers at once, a camera would block until its next
 * frame is ready. Frames may be of any size: the {@link VideoEncoder} scales them to the call's format.
 */
public interface VideoSource extends AutoCloseable {

    /** The rate this source is meant to be read at, in frames per second. */
    int frameRate();

    /** The next frame, or null once the source has ended (and on every call after). */
    VideoFrame next() throws IOException;

    @Override
    default void close() throws IOException {
    }
}
