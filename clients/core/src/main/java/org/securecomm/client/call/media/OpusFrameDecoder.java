package org.securecomm.client.call.media;

import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;

/** Opus decoder (Concentus) for call audio, with Opus' own packet-loss concealment for missing packets. */
public final class OpusFrameDecoder implements FrameDecoder {

    private final OpusDecoder decoder;

    public OpusFrameDecoder() {
        try {
            decoder = new OpusDecoder(CallAudio.SAMPLE_RATE, CallAudio.CHANNELS);
        } catch (OpusException e) {
            throw new IllegalStateException("cannot create Opus decoder", e);
        }
    }

    @Override
    public short[] decode(byte[] packet) {
        if (packet.length == 0) {
            throw new IllegalArgumentException("empty Opus packet");
        }
        return run(packet, packet.length);
    }

    @Override
    public short[] conceal() {
        return run(null, 0);
    }

    private short[] run(byte[] packet, int length) {
        short[] pcm = new short[CallAudio.FRAME_SAMPLES];
        try {
            int samples = decoder.decode(packet, 0, length, pcm, 0, CallAudio.FRAME_SAMPLES, false);
            if (samples != CallAudio.FRAME_SAMPLES) {
                throw new IllegalArgumentException("Opus packet holds " + samples + " samples, not one 20 ms frame");
            }
            return pcm;
        } catch (OpusException e) {
            throw new IllegalArgumentException("undecodable Opus packet", e);
        }
    }
}
