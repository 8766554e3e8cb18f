package org.securecomm.client.call.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavFileTest {

    @TempDir
    Path dir;

    @Test
    void writeThenReadGivesTheSameSamples() throws IOException {
        Path file = dir.resolve("tone.wav");
        short[] written = new short[CallAudio.FRAME_SAMPLES * 3 + 100];
        try (SineSource tone = new SineSource(440, 0.5, written.length); WavFileSink sink = new WavFileSink(file)) {
            short[] frame = new short[CallAudio.FRAME_SAMPLES];
            int position = 0;
            for (int n; (n = tone.read(frame)) > 0; position += n) {
                System.arraycopy(frame, 0, written, position, n);
                sink.write(frame, 0, n);
            }
            assertEquals(written.length, position);
        }
        assertEquals(44 + written.length * 2L, Files.size(file));
        assertEquals(WavFileSink.HEADER_LENGTH + written.length * 2 - 8,
                ByteBuffer.wrap(Files.readAllBytes(file), 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());

        short[] read = WavTestFiles.readAll(new WavFileSource(file));
        assertArrayEquals(written, read);
        assertTrue(Arrays.stream(new int[] {read[12], read[200]}).anyMatch(s -> s != 0), "not silence");
    }

    @Test
    void otherFormatsAreRefusedWithAClearMessage() throws IOException {
        Path file = dir.resolve("cd.wav");
        ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN)
                .put("RIFF".getBytes()).putInt(36).put("WAVE".getBytes())
                .put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2).putInt(44_100)
                .putInt(44_100 * 4).putShort((short) 4).putShort((short) 16)
                .put("data".getBytes()).putInt(0);
        Files.write(file, header.array());
        IOException e = assertThrows(IOException.class, () -> new WavFileSource(file));
        assertTrue(e.getMessage().contains("44100 Hz, 2 channel(s)") && e.getMessage().contains("48000 Hz, 1 channel"),
                e.getMessage());

        Files.write(file, "not a wave file at all".getBytes());
        assertThrows(IOException.class, () -> new WavFileSource(file));
    }
}
