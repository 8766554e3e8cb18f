package org.securecomm.client.call.media;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.util.Arrays;

/** Opus encoder (Concentus, pure Java) for call audio: one 20 ms, 48 kHz mono frame in, one packet out. */
public final class OpusFrameEncoder {

    /** Largest Opus packet for one frame (RFC 6716 section 3.4). */
    private static final int MAX_PACKET = 1275;

    private final OpusEncoder encoder;
    private final byte[] buffer = new byte[MAX_PACKET];

    /** @param bitrate target bits per second, e.g. 32_000 */
    public OpusFrameEncoder(int bitrate) {
        try {
            encoder = new OpusEncoder(CallAudio.SAMPLE_RATE, CallAudio.CHANNELS, OpusApplication.OPUS_APPLICATION_VOIP);
        } catch (OpusException e) {
            throw new IllegalStateException("cannot create Opus encoder", e);
        }
        encoder.setBitrate(bitrate);
    }

    public byte[] encode(short[] frame) {
        CallAudio.requireFrame(frame);
        try {
            int length = encoder.encode(frame, 0, CallAudio.FRAME_SAMPLES, buffer, 0, MAX_PACKET);
            return Arrays.copyOf(buffer, length);
        } catch (OpusException e) {
            throw new IllegalStateException("Opus encoding failed", e);
        }
    }
}
