package org.securecomm.client.call.media;

/** Turns one received packet into one 20 ms PCM frame, or invents a frame for a missing packet. */
public interface FrameDecoder {

    /** @throws IllegalArgumentException if the packet cannot be decoded */
    short[] decode(byte[] packet);

    /** Packet-loss concealment: a plausible frame for a packet that never arrived. */
    short[] conceal();
}
