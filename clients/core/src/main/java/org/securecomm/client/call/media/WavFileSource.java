package org.securecomm.client.call.media;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads call audio from a WAV file. Only 16-bit PCM at 48 kHz mono is accepted (no resampling or down-mixing): any
 * other file fails with an {@link IOException} that names its format and the one required.
 */
public final class WavFileSource implements AudioSource {

    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;

    private final DataInputStream in;
    private final Path path;
    private long remainingBytes;

    public WavFileSource(Path path) throws IOException {
        this.path = path;
        this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)));
        try {
            remainingBytes = readHeader();
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public int read(short[] frame) throws IOException {
        if (remainingBytes < 2) {
            return -1;
        }
        int count = (int) Math.min(frame.length, remainingBytes / 2);
        byte[] bytes = new byte[count * 2];
        in.readFully(bytes);
        remainingBytes -= bytes.length;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(frame, 0, count);
        Arrays.fill(frame, count, frame.length, (short) 0);
        return count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    static byte[] ascii(String fourCc) {
        return fourCc.getBytes(StandardCharsets.US_ASCII);
    }

    /** Walks the RIFF chunks up to "data", checking "fmt " on the way; returns the data size in bytes. */
    private long readHeader() throws IOException {
        if (!fourCc().equals("RIFF")) {
            throw new IOException(path + " is not a WAV file (no RIFF header)");
        }
        readLittleEndian(4);
        if (!fourCc().equals("WAVE")) {
            throw new IOException(path + " is a RIFF file but not WAVE");
        }
        boolean formatChecked = false;
        while (true) {
            String id = fourCc();
            long size = readLittleEndian(4);
            if (id.equals("data")) {
                if (!formatChecked) {
                    throw new IOException(path + " has no \"fmt \" chunk before its data");
                }
                return size;
            }
            byte[] body = new byte[(int) size + (int) (size & 1)];
            in.readFully(body);
            if (id.equals("fmt ")) {
                checkFormat(ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN));
                formatChecked = true;
            }
        }
    }

    private void checkFormat(ByteBuffer fmt) throws IOException {
        int format = fmt.getShort(0) & 0xffff;
        int channels = fmt.getShort(2) & 0xffff;
        int rate = fmt.getInt(4);
        int bits = fmt.getShort(14) & 0xffff;
        if (format == FORMAT_EXTENSIBLE && fmt.limit() >= 26) {
            format = fmt.getShort(24) & 0xffff;
        }
        if (format != FORMAT_PCM || channels != CallAudio.CHANNELS || rate != CallAudio.SAMPLE_RATE
                || bits != CallAudio.BITS_PER_SAMPLE) {
            throw new IOException(path + " is " + (format == FORMAT_PCM ? "PCM" : "format " + format) + ", " + rate
                    + " Hz, " + channels + " channel(s), " + bits + "-bit; call audio needs PCM, 48000 Hz, 1 channel, "
                    + "16-bit (convert it first, e.g. sox in.wav -r 48000 -c 1 -b 16 out.wav)");
        }
    }

    private String fourCc() throws IOException {
        byte[] id = new byte[4];
        in.readFully(id);
        return new String(id, StandardCharsets.US_ASCII);
    }

    private long readLittleEndian(int bytes) throws IOException {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(path + " ends inside its WAV header");
            }
            value |= (long) b << (8 * i);
        }
        return value;
    }
}
