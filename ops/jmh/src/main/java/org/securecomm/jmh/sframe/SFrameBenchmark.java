package org.securecomm.jmh.sframe;

import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.securecomm.client.call.media.SFrameCipherSuite;
import org.securecomm.client.call.media.SFrameException;
import org.securecomm.client.call.media.SFrameReceiver;
import org.securecomm.client.call.media.SFrameSender;
import org.securecomm.protocol.MediaDatagrams;

/**
 * A call client's end-to-end media encryption per frame, with the suite and metadata CallMedia
 * uses: a 160-byte Opus audio frame and a 1,200-byte video fragment.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SFrameBenchmark {

    static final SFrameCipherSuite SUITE = SFrameCipherSuite.AES_128_GCM_SHA256_128;
    /**
     * Frames encrypted ahead for {@link #decrypt}: the receiver's replay window refuses a counter
     * twice, so after the last one a fresh receiver (one key derivation per RING frames) starts over.
     */
    static final int RING = 4096;

    @Param({"160", "1200"})
    public int frameBytes;

    private SFrameSender sender;
    private byte[] metadata;
    private byte[] media;
    /** {@link #RING}; a test makes it short. */
    int ring = RING;
    private byte[][] encrypted;
    private SFrameReceiver receiver;
    private int next;

    @Setup
    public void setUp() {
        Random random = new Random(frameBytes);
        media = new byte[frameBytes];
        random.nextBytes(media);
        metadata = MediaDatagrams.payloadHeader(random.nextInt(), frameBytes <= 160 ? MediaDatagrams.KIND_AUDIO : MediaDatagrams.KIND_VIDEO,
                random.nextInt(1 << 20));
        sender = new SFrameSender(SUITE, new SecureRandom(), 1);
        encrypted = new byte[ring][];
        for (int i = 0; i < ring; i++) {
            encrypted[i] = sender.encrypt(metadata, media);
        }
        receiver = newReceiver();
    }

    @Benchmark
    public byte[] encrypt() {
        return sender.encrypt(metadata, media);
    }

    @Benchmark
    public byte[] decrypt() throws SFrameException {
        if (next == ring) {
            receiver = newReceiver();
            next = 0;
        }
        return receiver.decrypt(metadata, encrypted[next++]);
    }

    private SFrameReceiver newReceiver() {
        SFrameReceiver fresh = new SFrameReceiver(SUITE);
        fresh.addKey(sender.currentKey());
        return fresh;
    }

    byte[] media() {
        return media;
    }

    byte[] metadata() {
        return metadata;
    }

    SFrameSender sender() {
        return sender;
    }
}
