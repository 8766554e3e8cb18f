package org.securecomm.relay.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.relay.support.MediaSocket;
import org.securecomm.relay.support.TestDevice;

/** What the forwarder tests send and check: payloads, everyone-sends rounds, exact delivery. */
final class MediaFlows {

    static final Duration WAIT = Duration.ofSeconds(5);
    static final Duration QUIET = Duration.ofMillis(200);

    private MediaFlows() {
    }

    /** Random bytes behind a valid payload header (the forwarder never looks further). */
    static byte[] payload(int sourceId, int seq, int bytes) {
        byte[] payload = TestDevice.randomBytes(bytes);
        System.arraycopy(MediaDatagrams.payloadHeader(sourceId, MediaDatagrams.KIND_AUDIO, seq), 0, payload, 0, MediaDatagrams.PAYLOAD_HEADER);
        return payload;
    }

    /** Each device sends {@code count} payloads of {@code bytes}; answers what each sent (as comparable strings). */
    static List<Set<String>> sendFromEach(List<MediaSocket> devices, int count, int bytes) {
        List<Set<String>> sent = new ArrayList<>();
        for (int d = 0; d < devices.size(); d++) {
            Set<String> mine = new HashSet<>();
            for (int seq = 0; seq < count; seq++) {
                byte[] payload = payload(d, seq, bytes);
                devices.get(d).sendMedia(payload);
                mine.add(Arrays.toString(payload));
            }
            sent.add(mine);
        }
        return sent;
    }

    /** Each device gets every other device's payloads once, byte for byte, and nothing more (none of its own). */
    static void assertEachReceivesExactlyTheOthers(List<MediaSocket> devices, List<Set<String>> sent) {
        for (int d = 0; d < devices.size(); d++) {
            Set<String> expected = new HashSet<>();
            for (int other = 0; other < devices.size(); other++) {
                if (other != d) {
                    expected.addAll(sent.get(other));
                }
            }
            Set<String> received = new HashSet<>();
            for (int i = 0; i < expected.size(); i++) {
                byte[] payload = devices.get(d).receiveMedia(WAIT);
                assertNotNull(payload, "device " + d + " received " + i + " of " + expected.size());
                assertTrue(received.add(Arrays.toString(payload)), "no duplicate");
            }
            assertEquals(expected, received, "device " + d + " gets exactly the others' payloads");
            assertNull(devices.get(d).receive(QUIET), "device " + d + ": nothing more, nothing of its own");
        }
    }

    /** Two rooms (of one forwarder, or of two unlinked ones) apart: each one's media reaches its own other device only. */
    static void assertApart(MediaSocket a1, MediaSocket a2, MediaSocket b1, MediaSocket b2) {
        byte[] fromA = payload(1, 1, 80);
        a1.sendMedia(fromA);
        assertArrayEquals(fromA, a2.receiveMedia(WAIT));
        byte[] fromB = payload(2, 1, 80);
        b1.sendMedia(fromB);
        assertArrayEquals(fromB, b2.receiveMedia(WAIT));
        for (MediaSocket device : List.of(a1, a2, b1, b2)) {
            assertNull(device.receive(QUIET));
        }
    }

    static void waitFor(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(5);
        }
    }
}
