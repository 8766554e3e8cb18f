package org.securecomm.client.call.media;

import java.io.IOException;

/** Where call audio comes from (microphone, file, generator), always 48 kHz mono 16-bit ({@link CallAudio}). */
public interface AudioSource extends AutoCloseable {

    /**
     * Fills {@code frame} with the next samples. Returns how many were read; fewer than {@code frame.length} only at
     * the end of the source (the rest of the frame is zeroed), -1 once nothing is left.
     */
    int read(short[] frame) throws IOException;

    @Override
    default void close() throws IOException {
    }
}
