package org.securecomm.client.call.video;

/**
 * One encoded frame: a complete baseline JPEG that decodes on its own.
 *
 * @param frameNumber     the frame's number; after the wire (32 bits), the low 32 bits as an unsigned number
 * @param timestampMillis capture time at the sender; completion time at a receiver ({@link VideoFrame})
 */
public record EncodedVideoFrame(long frameNumber, long timestampMillis, byte[] data) {

    public EncodedVideoFrame {
        if (data.length == 0) {
            throw new IllegalArgumentException("empty frame");
        }
    }
}
