package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The settings of the call and libsignal workloads refuse what cannot run, and say which value and why. */
class WorkloadSettingsTest {

    private static final Duration CALL = Duration.ofSeconds(30);

    private static void refused(String expectedText, Executable settings) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, settings);
        assertTrue(e.getMessage().contains(expectedText), e.getMessage());
    }

    @Test
    void callSettingsAcceptARealisticMix() {
        CallWorkload.Settings settings = new CallWorkload.Settings(20, 3, 2.5, 50, 100, CALL);
        assertEquals(60, settings.devices());
        new CallWorkload.Settings(1, 2, 0.1, 1, CallMedia.MIN_PAYLOAD, Duration.ofMillis(100));
        new CallWorkload.Settings(1, 16, 1000, 1000, 1379, CALL);
    }

    @Test
    void callSettingsRefuseEachBadValue() {
        refused("concurrent calls must be at least 1, got 0", () -> new CallWorkload.Settings(0, 2, 1, 50, 100, CALL));
        refused("participants per call must be 2 to 16", () -> new CallWorkload.Settings(1, 1, 1, 50, 100, CALL));
        refused("got 17", () -> new CallWorkload.Settings(1, 17, 1, 50, 100, CALL));
        refused("set-ups per second must be above 0", () -> new CallWorkload.Settings(1, 2, 0, 50, 100, CALL));
        refused("packet rate must be 1 to 1000", () -> new CallWorkload.Settings(1, 2, 1, 0, 100, CALL));
        refused("payload bytes must be 17 to 1379", () -> new CallWorkload.Settings(1, 2, 1, 50, 16, CALL));
        refused("got 1380", () -> new CallWorkload.Settings(1, 2, 1, 50, 1380, CALL));
        refused("call length must be at least 100 ms", () -> new CallWorkload.Settings(1, 2, 1, 50, 100, Duration.ofMillis(99)));
        refused("call length must be at least 100 ms, got null", () -> new CallWorkload.Settings(1, 2, 1, 50, 100, null));
    }

    @Test
    void signalSettingsAcceptARealisticMixAndRefuseEachBadValue() {
        new SignalMessagingWorkload.Settings(10, 200, 256);
        new SignalMessagingWorkload.Settings(1, 0.5, SignalMessagingWorkload.MIN_PLAINTEXT);
        refused("pairs must be at least 1, got 0", () -> new SignalMessagingWorkload.Settings(0, 200, 256));
        refused("messages per second must be above 0", () -> new SignalMessagingWorkload.Settings(1, 0, 256));
        refused("messages per second must be above 0", () -> new SignalMessagingWorkload.Settings(1, Double.NaN, 256));
        refused("plaintext bytes must be 64 (the canary text) to 65536, got 63", () -> new SignalMessagingWorkload.Settings(1, 10, 63));
        refused("got 65537", () -> new SignalMessagingWorkload.Settings(1, 10, 65537));
    }
}
