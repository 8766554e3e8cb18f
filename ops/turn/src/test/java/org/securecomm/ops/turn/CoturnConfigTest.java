package org.securecomm.ops.turn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CoturnConfigTest {

    private static CoturnConfig config(int relayThreads, boolean verbose) {
        return new CoturnConfig("127.0.0.1", 3478, "127.0.0.1", 40000, 44999, "r", "s", Path.of("/tmp/x"), relayThreads, verbose);
    }

    @Test
    void aBenchmarkConfigSetsRelayThreadsAndLogsNoSessions() {
        String text = config(1, false).render();
        assertTrue(text.contains("\nrelay-threads=1\n"), text);
        assertFalse(text.contains("verbose"), text);
        assertTrue(text.contains("\nmin-port=40000\nmax-port=44999\n"), text);
    }

    @Test
    void theDefaultConfigLeavesRelayThreadsToCoturnAndLogsSessions() {
        String text = config(CoturnConfig.DEFAULT_RELAY_THREADS, true).render();
        assertFalse(text.contains("relay-threads"), text);
        assertTrue(text.contains("\nverbose\n"), text);
    }

    @Test
    void optionsRefuseRangesAndThreadCountsOutOfBounds() {
        CoturnServer.Options defaults = CoturnServer.Options.defaults();
        assertThrows(IllegalArgumentException.class, () -> defaults.withRelayPorts(CoturnServer.Options.MAX_RELAY_PORTS + 1));
        assertThrows(IllegalArgumentException.class, () -> defaults.withRelayThreads(-2));
        assertTrue(CoturnServer.Options.benchmark(5000, 1).relayPorts() == 5000);
    }
}
