package org.securecomm.client.call;

import java.nio.file.Path;
import java.util.List;

/**
 * What this device's call media did so far: audio frames it sent, payloads that were malformed,
 * and per remote stream (one per sender key set, i.e. per join of a remote device) what was
 * decrypted, what could not be, and what the jitter buffer played or concealed.
 */
public record CallStats(long framesSent, long malformed, List<Stream> streams) {

    /**
     * {@code decrypted}: audio frames; {@code videoFrames}: complete video frames decoded;
     * {@code firstAudioNanos}: System.nanoTime() of the first decrypted audio frame, 0 before.
     */
    public record Stream(String participant, int sourceId, long decrypted, long undecryptable, long played, long concealed,
                         long videoFrames, long firstAudioNanos, Path recording) {
    }
}
