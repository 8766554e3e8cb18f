package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeerPolicyTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void allowAndDenyLists() {
        PeerPolicy open = new PeerPolicy(Set.of(), Set.of("evil.example"), 1000, 10, 10, 100);
        assertTrue(open.allows("a.example"));
        assertFalse(open.allows("evil.example"));
        PeerPolicy closed = new PeerPolicy(Set.of("a.example", "evil.example"), Set.of("evil.example"), 1000, 10, 10, 100);
        assertTrue(closed.allows("a.example"));
        assertFalse(closed.allows("b.example"));
        assertFalse(closed.allows("evil.example"), "deny wins over allow");
    }

    @Test
    void burstThenSustainedRate() {
        PeerPolicy policy = new PeerPolicy(Set.of(), Set.of(), 1000, 2, 5, 100);
        for (int i = 0; i < 5; i++) {
            assertEquals(0, policy.tryAcquire("a.example", T0), "burst request " + i);
        }
        assertEquals(1, policy.tryAcquire("a.example", T0), "over the burst: wait for one token at 2/s");
        assertEquals(0, policy.tryAcquire("b.example", T0), "buckets are per origin");
        assertEquals(0, policy.tryAcquire("a.example", T0.plusMillis(500)), "one token after 0.5 s");
        assertEquals(1, policy.tryAcquire("a.example", T0.plusMillis(500)));
        Instant later = T0.plus(Duration.ofHours(1));
        int accepted = 0;
        while (policy.tryAcquire("a.example", later) == 0) {
            accepted++;
        }
        assertEquals(5, accepted, "an idle bucket refills to the burst, not beyond");
    }

    @Test
    void retryAfterReflectsTheRate() {
        PeerPolicy policy = new PeerPolicy(Set.of(), Set.of(), 1000, 0.1, 1, 100);
        assertEquals(0, policy.tryAcquire("a.example", T0));
        assertEquals(10, policy.tryAcquire("a.example", T0));
        assertEquals(5, policy.tryAcquire("a.example", T0.plusSeconds(5)));
    }

    @Test
    void trackedOriginsAreBounded() {
        PeerPolicy policy = new PeerPolicy(Set.of(), Set.of(), 1000, 1, 1, 3);
        for (int i = 0; i < 100; i++) {
            policy.tryAcquire("o" + i + ".example", T0);
        }
        assertEquals(3, policy.trackedOrigins());
    }

    @Test
    void concurrentCallersNeverExceedTheBurst() throws InterruptedException {
        PeerPolicy policy = new PeerPolicy(Set.of(), Set.of(), 1000, 1, 100, 10);
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100; i++) {
                    if (policy.tryAcquire("a.example", T0) == 0) {
                        accepted.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(100, accepted.get());
    }
}
