package org.securecomm.relay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MailboxGaugesTest {

    private static final long NOW = 1_800_000_000_000L;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MailboxGauges gauges = new MailboxGauges(registry, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    @Test
    void sumsLiveMailboxesAndAgesOnlyWhatWaitsForAConnectedDevice() {
        gauges.changed("a.1", 3, NOW - 60_000, true);
        gauges.changed("b.1", 5, NOW - 3_600_000, false); // an offline device's envelopes are expected to wait
        gauges.changed("c.1", 0, 0, true);
        assertEquals(3, gauge("securecomm_mailboxes_active"));
        assertEquals(8, gauge("securecomm_mailbox_envelopes"));
        assertEquals(60, gauge("securecomm_mailbox_oldest_envelope_seconds"));

        gauges.changed("b.1", 5, NOW - 3_600_000, true); // its device connects: now it waits for a connected device
        assertEquals(3600, gauge("securecomm_mailbox_oldest_envelope_seconds"));

        gauges.stopped("b.1"); // handed off or passivated
        gauges.changed("a.1", 0, 0, true);
        assertEquals(2, gauge("securecomm_mailboxes_active"));
        assertEquals(0, gauge("securecomm_mailbox_envelopes"));
        assertEquals(0, gauge("securecomm_mailbox_oldest_envelope_seconds"));
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
