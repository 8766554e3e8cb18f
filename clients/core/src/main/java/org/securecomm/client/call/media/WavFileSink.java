package org.securecomm.client.call.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes call audio to a WAV file (RIFF, PCM, 48 kHz, mono, 16-bit); the sizes in the header are set on close. */
public final class WavFileSink implements AudioSink {

    static final int HEADER_LENGTH = 44;

    private final FileChannel channel;
    private long dataBytes;

    public WavFileSink(Path path) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        writeFully(header(0), 0);
    }

    @Override
    public void write(short[] samples, int offset, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(samples, offset, length);
        writeFully(bytes, HEADER_LENGTH + dataBytes);
        dataBytes += length * 2L;
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            if (dataBytes > 0xFFFF_FFFFL - HEADER_LENGTH) {
                throw new IOException("WAV data over 4 GiB");
            }
            writeFully(header((int) dataBytes), 0);
        }
    }

    private static ByteBuffer header(int dataBytes) {
        int blockAlign = CallAudio.CHANNELS * CallAudio.BITS_PER_SAMPLE / 8;
        return ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
                .put(WavFileSource.ascii("RIFF")).putInt(HEADER_LENGTH - 8 + dataBytes).put(WavFileSource.ascii("WAVE"))
                .put(WavFileSource.ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) CallAudio.CHANNELS)
                .putInt(CallAudio.SAMPLE_RATE).putInt(CallAudio.SAMPLE_RATE * blockAlign).putShort((short) blockAlign)
                .putShort((short) CallAudio.BITS_PER_SAMPLE)
                .put(WavFileSource.ascii("data")).putInt(dataBytes)
                .flip();
    }

    private void writeFully(ByteBuffer bytes, long position) throws IOException {
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
    }
}
