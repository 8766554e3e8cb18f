package org.securecomm.relay.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the mailboxes running on this node hold: how many are live, how many envelopes wait in
 * them, and how old the oldest envelope is that waits for a connected device (a stuck delivery;
 * envelopes for offline devices are expected to wait). Each mailbox reports after every change
 * and when it stops (passivation, handoff); scrapes sum over those reports.
 */
final class MailboxGauges {

    private record Queue(int envelopes, long oldestServerTimestamp, boolean deviceConnected) {
    }

    private final Map<String, Queue> live = new ConcurrentHashMap<>();
    private final Clock clock;

    MailboxGauges(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        Gauge.builder("securecomm_mailboxes_active", live, Map::size)
                .description("Mailboxes (one per device) running on this node").register(registry);
        Gauge.builder("securecomm_mailbox_envelopes", this, MailboxGauges::envelopes)
                .description("Envelopes waiting in the mailboxes running on this node").register(registry);
        Gauge.builder("securecomm_mailbox_oldest_envelope_seconds", this, MailboxGauges::oldestAgeSeconds)
                .description("Age of the oldest envelope waiting for a connected device in a mailbox on this node (0 when none)")
                .register(registry);
    }

    void changed(String mailbox, int envelopes, long oldestServerTimestamp, boolean deviceConnected) {
        live.put(mailbox, new Queue(envelopes, oldestServerTimestamp, deviceConnected));
    }

    void stopped(String mailbox) {
        live.remove(mailbox);
    }

    private double envelopes() {
        return live.values().stream().mapToLong(Queue::envelopes).sum();
    }

    private double oldestAgeSeconds() {
        long oldest = live.values().stream().filter(q -> q.deviceConnected() && q.envelopes() > 0).mapToLong(Queue::oldestServerTimestamp)
                .min().orElse(0);
        return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
    }
}
