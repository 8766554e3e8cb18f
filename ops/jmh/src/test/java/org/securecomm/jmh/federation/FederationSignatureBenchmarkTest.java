package org.securecomm.jmh.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.securecomm.federation.VerifiedRequest;

/** The federation benchmarks, run once, sign what the destination verifies: not timing. */
class FederationSignatureBenchmarkTest {

    @Test
    void aSignedRequestVerifies() {
        FederationSignatureBenchmark benchmark = new FederationSignatureBenchmark();
        benchmark.setUp();

        VerifiedRequest verified = benchmark.newVerifier().verify(benchmark.sign(), FederationSignatureBenchmark.OPERATION)
                .toCompletableFuture().join();

        assertEquals(FederationSignatureBenchmark.ORIGIN, verified.origin());
        assertArrayEquals(benchmark.body(), verified.body());
    }

    @Test
    void verifiesEveryRequestOfTheRingAndStartsOver() {
        FederationSignatureBenchmark benchmark = new FederationSignatureBenchmark();
        benchmark.ring = 8;
        benchmark.setUp();
        for (int i = 0; i < 2 * benchmark.ring + 1; i++) {
            VerifiedRequest verified = benchmark.verify();
            assertArrayEquals(benchmark.body(), verified.body(), "request " + i);
        }
    }
}
