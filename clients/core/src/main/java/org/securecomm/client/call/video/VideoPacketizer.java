package org.securecomm.client.call.video;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.securecomm.protocol.MediaDatagrams;

/**
 * Splits encoded frames into fragments that each fit one media datagram once the call engine has encrypted them with
 * SFrame. A fragment is, big-endian:
 *
 * <pre>
 * frame number (4, unsigned, wraps) | fragment index (2) | fragment count (2) | a slice of the JPEG
 * </pre>
 *
 * Every fragment repeats the count, so a receiver can place any fragment that arrives first; the slices are the
 * frame's bytes in index order, all full but the last. The header is inside the SFrame ciphertext, so relays see
 * neither frame boundaries nor sizes beyond the datagram's own. Stateless and thread-safe.
 */
public final class VideoPacketizer {

    /** Room SFrame needs in a payload beyond the plaintext: its header (up to 17 bytes) and the AES-GCM tag. */
    public static final int SFRAME_OVERHEAD = 64;
    /** Largest fragment: what remains of a media payload after its header and the SFrame overhead (1,306 bytes). */
    public static final int MAX_FRAGMENT_BYTES = MediaDatagrams.MAX_PAYLOAD - MediaDatagrams.PAYLOAD_HEADER
            - SFRAME_OVERHEAD;
    /** frame number + fragment index + fragment count. */
    public static final int HEADER_BYTES = 4 + 2 + 2;
    /** Most fragments a frame may have: bounds what a receiver holds for one frame. */
    public static final int MAX_FRAGMENTS = 128;
    /** Largest encoded frame (about 166 KB, ten times a default frame). */
    public static final int MAX_FRAME_BYTES = MAX_FRAGMENTS * (MAX_FRAGMENT_BYTES - HEADER_BYTES);

    private final int sliceBytes;

    /** Fragments of at most {@link #MAX_FRAGMENT_BYTES}. */
    public VideoPacketizer() {
        this(MAX_FRAGMENT_BYTES);
    }

    /** Fragments of at most {@code maxFragmentBytes}, header included (smaller ones leave room for other headers). */
    public VideoPacketizer(int maxFragmentBytes) {
        if (maxFragmentBytes <= HEADER_BYTES || maxFragmentBytes > MAX_FRAGMENT_BYTES) {
            throw new IllegalArgumentException("fragment size must be within " + (HEADER_BYTES + 1) + ".."
                    + MAX_FRAGMENT_BYTES + ": " + maxFragmentBytes);
        }
        this.sliceBytes = maxFragmentBytes - HEADER_BYTES;
    }

    /**
     * The frame's fragments in index order.
     *
     * @throws IllegalArgumentException when the frame needs more than {@link #MAX_FRAGMENTS} fragments (an encoder
     *                                  made with the default limit never produces one)
     */
    public List<byte[]> packetize(EncodedVideoFrame frame) {
        byte[] data = frame.data();
        int count = (data.length + sliceBytes - 1) / sliceBytes;
        if (count > MAX_FRAGMENTS) {
            throw new IllegalArgumentException("frame of " + data.length + " bytes needs " + count + " fragments, more "
                    + "than " + MAX_FRAGMENTS);
        }
        List<byte[]> fragments = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            int offset = index * sliceBytes;
            int length = Math.min(sliceBytes, data.length - offset);
            fragments.add(ByteBuffer.allocate(HEADER_BYTES + length)
                    .putInt((int) frame.frameNumber())
                    .putShort((short) index)
                    .putShort((short) count)
                    .put(data, offset, length)
                    .array());
        }
        return fragments;
    }
}
