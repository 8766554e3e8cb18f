package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.ReplayGuard.Verdict;

class ReplayGuardTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration SKEW = Duration.ofMinutes(5);

    @Test
    void secondSightingIsAReplayPerOrigin() {
        ReplayGuard guard = new ReplayGuard(SKEW, 100);
        assertEquals(Verdict.FIRST, guard.check("a.example", id(1), T0, T0));
        assertEquals(Verdict.REPLAYED, guard.check("a.example", id(1), T0, T0.plusSeconds(1)));
        assertEquals(Verdict.FIRST, guard.check("b.example", id(1), T0, T0), "ids are per origin");
        assertEquals(Verdict.FIRST, guard.check("a.example", id(2), T0, T0));
    }

    @Test
    void entriesLiveForTwiceTheSkew() {
        ReplayGuard guard = new ReplayGuard(SKEW, 100);
        guard.check("a.example", id(1), T0, T0);
        assertEquals(Verdict.REPLAYED, guard.check("a.example", id(1), T0, T0.plus(SKEW.multipliedBy(2)).minusMillis(1)));
        guard.check("a.example", id(2), T0, T0.plus(SKEW.multipliedBy(2)));
        assertEquals(1, guard.size(), "the first entry expired once 2 x skew passed");
    }

    @Test
    void capEvictsOldestAndRefusesWhatItCanNoLongerProveNew() {
        ReplayGuard guard = new ReplayGuard(SKEW, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Verdict.FIRST, guard.check("a.example", id(i), T0.plusMillis(i), T0));
        }
        assertEquals(Verdict.FIRST, guard.check("a.example", id(3), T0.plusMillis(3), T0));
        assertEquals(3, guard.size());
        // id 0 was evicted: a replay of it must not pass as new.
        assertEquals(Verdict.TOO_OLD, guard.check("a.example", id(0), T0, T0.plusSeconds(1)));
        // A new request at or before the evicted timestamp cannot be told from a replay either.
        assertEquals(Verdict.TOO_OLD, guard.check("a.example", id(99), T0, T0.plusSeconds(1)));
        assertEquals(Verdict.FIRST, guard.check("a.example", id(100), T0.plusSeconds(1), T0.plusSeconds(1)));
        assertEquals(3, guard.size());
    }

    @Test
    void memoryStaysBoundedUnderAFlood() {
        ReplayGuard guard = new ReplayGuard(SKEW, 1000);
        for (int i = 0; i < 100_000; i++) {
            Instant now = T0.plusMillis(i);
            guard.check("a.example", id(i), now, now);
        }
        assertEquals(1000, guard.size());
    }

    @Test
    void concurrentSightingsOfOneIdAcceptExactlyOne() throws InterruptedException {
        ReplayGuard guard = new ReplayGuard(SKEW, 10_000);
        AtomicInteger first = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    if (guard.check("a.example", id(i), T0, T0) == Verdict.FIRST) {
                        first.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(500, first.get());
        assertTrue(guard.size() <= 10_000);
    }

    private static byte[] id(int n) {
        return ByteBuffer.allocate(16).putInt(12, n).array();
    }
}
