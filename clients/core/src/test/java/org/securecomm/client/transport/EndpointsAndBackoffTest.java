package org.securecomm.client.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Endpoint rotation (the order clients try relay nodes in) and the reconnect backoff. */
class EndpointsAndBackoffTest {

    private static final URI A = URI.create("ws://a.test:8080/v1/websocket");
    private static final URI B = URI.create("ws://b.test:8080/v1/websocket");
    private static final URI C = URI.create("wss://c.test/v1/websocket");

    @Test
    void rotationVisitsEveryEndpointInOrderAndWrapsAround() {
        Endpoints endpoints = new Endpoints(List.of(A, B, C), new Random(1), false);
        assertEquals(A, endpoints.current(), "without a random start: the first URL");
        assertEquals(B, endpoints.rotate());
        assertEquals(C, endpoints.rotate());
        assertEquals(A, endpoints.rotate());
        assertEquals(A, endpoints.current());
    }

    @Test
    void aSingleLoadBalancedAddressIsTheOneEntryCase() {
        Endpoints endpoints = new Endpoints(List.of(A), new Random(), true);
        assertEquals(A, endpoints.current());
        assertEquals(A, endpoints.rotate());
    }

    @Test
    void theStartIsRandomSoAFleetSpreadsOverTheNodes() {
        Set<URI> starts = new HashSet<>();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            starts.add(new Endpoints(List.of(A, B, C), random, true).current());
        }
        assertEquals(Set.of(A, B, C), starts);
    }

    @Test
    void listsAreParsedCheckedAndFormatted() {
        assertEquals(List.of(A, B), Endpoints.parse(" ws://a.test:8080/v1/websocket , ws://b.test:8080/v1/websocket,"));
        assertEquals(List.of(A, B), Endpoints.parse(Endpoints.format(List.of(A, B, A))), "duplicates are dropped");
        assertThrows(IllegalArgumentException.class, () -> Endpoints.parse(" , "));
        IllegalArgumentException notWs = assertThrows(IllegalArgumentException.class, () -> Endpoints.parse("http://a.test/"));
        assertTrue(notWs.getMessage().contains("http://a.test/"), notWs.getMessage());
    }

    @Test
    void backoffDoublesWithJitterUpToItsCapAndStartsOverAfterAReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(7));
        long[] ceilings = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (long ceiling : ceilings) {
            long delay = backoff.next().toMillis();
            assertTrue(delay >= ceiling / 2 && delay <= ceiling, delay + " ms should be within [" + ceiling / 2 + ", " + ceiling + "]");
        }
        for (int i = 0; i < 100; i++) {
            assertTrue(backoff.next().toMillis() <= 30_000, "never above the cap, however long it fails");
        }
        backoff.reset();
        long first = backoff.next().toMillis();
        assertTrue(first >= 250 && first <= 500, "after a success the first delay is short again: " + first);
    }

    @Test
    void jitterSpreadsClientsThatFailedTogether() {
        Set<Long> delays = new HashSet<>();
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) {
            Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random);
            backoff.next();
            backoff.next();
            delays.add(backoff.next().toMillis());
        }
        assertTrue(delays.size() > 25, "50 clients' third delays are spread, not equal: " + delays);
    }

    @Test
    void aBackoffNeedsAPositiveRange() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random()));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()));
    }
}
