package org.securecomm.client.call.media;

import java.io.IOException;

/** Where received call audio goes (speaker, file), always 48 kHz mono 16-bit ({@link CallAudio}). */
public interface AudioSink extends AutoCloseable {

    void write(short[] samples, int offset, int length) throws IOException;

    default void write(short[] samples) throws IOException {
        write(samples, 0, samples.length);
    }

    @Override
    void close() throws IOException;
}
