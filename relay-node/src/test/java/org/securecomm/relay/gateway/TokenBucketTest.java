package org.securecomm.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsTheBurstThenTheRate() {
        TokenBucket bucket = new TokenBucket(10, 5, 0);
        for (int i = 0; i < 5; i++) {
            assertEquals(0, bucket.tryTake(1, 0));
        }
        long wait = bucket.tryTake(1, 0);
        assertTrue(wait > 0 && wait <= SECOND / 10, "one token refills in 100 ms: " + wait);
        assertEquals(0, bucket.tryTake(1, SECOND / 10));
        assertEquals(0, bucket.tryTake(5, 10 * SECOND), "refills up to the burst");
        assertTrue(bucket.tryTake(1, 10 * SECOND) > 0, "but not beyond it");
    }

    @Test
    void aRefusedTakeCostsNothing() {
        TokenBucket bucket = new TokenBucket(1, 2, 0);
        assertTrue(bucket.tryTake(3, 0) > 0);
        assertEquals(0, bucket.tryTake(2, 0));
    }
}
