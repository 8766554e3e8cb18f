package org.securecomm.relay.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.securecomm.relay.federation.outbound.FederationPeer;

/**
 * Per-peer metrics of the outbound federation queues, labelled {@code peer} with the remote
 * domain (operators' domains, a bounded set; never an address). A peer's gauges exist on the node
 * where its queue entity runs, and go when the entity stops there.
 */
public final class FederationMetrics implements FederationPeer.Listener {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, PeerGauges> peers = new ConcurrentHashMap<>();

    /** Read at scrape time on another thread than the entity's, hence atomics. */
    private final class PeerGauges {
        final AtomicLong depth = new AtomicLong();
        final AtomicLong oldestEnqueuedAtMillis = new AtomicLong();
        final AtomicLong lastSuccessAtMillis = new AtomicLong();
        final List<Meter> meters;

        PeerGauges(String domain) {
            meters = List.of(
                    Gauge.builder("securecomm_federation_queue_depth", depth, AtomicLong::get)
                            .description("PDUs queued for a peer domain").tag("peer", domain).register(registry),
                    Gauge.builder("securecomm_federation_queue_oldest_seconds", this, PeerGauges::oldestSeconds)
                            .description("Age of the oldest PDU queued for a peer domain (0 when empty)").tag("peer", domain).register(registry),
                    Gauge.builder("securecomm_federation_last_success_timestamp_seconds", lastSuccessAtMillis, millis -> millis.get() / 1000.0)
                            .description("When a peer domain last acknowledged a transaction (epoch seconds, 0 = not yet)")
                            .tag("peer", domain).register(registry));
        }

        double oldestSeconds() {
            long oldest = oldestEnqueuedAtMillis.get();
            return oldest == 0 ? 0 : Math.max(0, clock.millis() - oldest) / 1000.0;
        }
    }

    public FederationMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * One federation request this node received: {@code outcome} is "ok" or the Rejection it was
     * refused with (a bounded set, so it is a safe label).
     */
    public void request(String operation, String outcome, long nanos) {
        Timer.builder("securecomm_federation_requests")
                .description("Federation requests received, by operation and outcome (ok, or the rejection)")
                .tags("operation", operation, "outcome", outcome).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    private PeerGauges gauges(String domain) {
        return peers.computeIfAbsent(domain, PeerGauges::new);
    }

    @Override
    public void queueChanged(String domain, int depth, long bytes, long oldestEnqueuedAtMillis) {
        PeerGauges gauges = gauges(domain);
        gauges.depth.set(depth);
        gauges.oldestEnqueuedAtMillis.set(oldestEnqueuedAtMillis);
    }

    @Override
    public void delivered(String domain, int pdus, long atMillis) {
        gauges(domain).lastSuccessAtMillis.accumulateAndGet(atMillis, Math::max);
        if (pdus > 0) {
            Counter.builder("securecomm_federation_pdus_delivered").description("PDUs a peer domain acknowledged")
                    .tag("peer", domain).register(registry).increment(pdus);
        }
    }

    @Override
    public void attemptFailed(String domain) {
        Counter.builder("securecomm_federation_delivery_failures").description("Transactions to a peer domain that failed (retried later)")
                .tag("peer", domain).register(registry).increment();
    }

    @Override
    public void expired(String domain, int pdus) {
        Counter.builder("securecomm_federation_pdus_expired").description("PDUs dropped unsent because they expired")
                .tag("peer", domain).register(registry).increment(pdus);
    }

    @Override
    public void stopped(String domain) {
        PeerGauges gauges = peers.remove(domain);
        if (gauges != null) {
            gauges.meters.forEach(registry::remove);
        }
    }
}
