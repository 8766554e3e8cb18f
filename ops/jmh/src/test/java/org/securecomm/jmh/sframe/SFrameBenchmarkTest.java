package org.securecomm.jmh.sframe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.securecomm.client.call.media.SFrameReceiver;

/** The SFrame benchmarks, run once, encrypt what a receiver decrypts back: not timing. */
class SFrameBenchmarkTest {

    private static SFrameBenchmark benchmark(int frameBytes) {
        SFrameBenchmark benchmark = new SFrameBenchmark();
        benchmark.frameBytes = frameBytes;
        benchmark.ring = 8;
        benchmark.setUp();
        return benchmark;
    }

    @ParameterizedTest
    @ValueSource(ints = {160, 1200})
    void encryptsWhatTheReceiverDecrypts(int frameBytes) throws Exception {
        SFrameBenchmark benchmark = benchmark(frameBytes);
        SFrameReceiver receiver = new SFrameReceiver(SFrameBenchmark.SUITE);
        receiver.addKey(benchmark.sender().currentKey());

        byte[] frame = benchmark.encrypt();

        assertFalse(Arrays.equals(benchmark.media(), Arrays.copyOfRange(frame, frame.length - frameBytes, frame.length)), "encrypted");
        assertArrayEquals(benchmark.media(), receiver.decrypt(benchmark.metadata(), frame));
    }

    @ParameterizedTest
    @ValueSource(ints = {160, 1200})
    void decryptsEveryFrameOfTheRingAndStartsOver(int frameBytes) throws Exception {
        SFrameBenchmark benchmark = benchmark(frameBytes);
        for (int i = 0; i < 2 * benchmark.ring + 1; i++) {
            assertArrayEquals(benchmark.media(), benchmark.decrypt(), "frame " + i);
        }
    }
}
