package org.securecomm.relay.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.mailbox.Mailbox;

/**
 * The node's Prometheus metrics (served at /metrics). Labels are request types and error codes
 * only: never accounts, addresses or anything a client wrote.
 */
public final class RelayMetrics implements Mailbox.Listener {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger authenticatedConnections = new AtomicInteger();
    private final Counter enqueued;
    private final DistributionSummary enqueuedBytes;
    private final Counter pushed;
    private final Counter acknowledged;
    private final Counter expired;

    public RelayMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        Gauge.builder("securecomm_websocket_connections", connections, AtomicInteger::get)
                .description("Open client WebSockets on this node").register(registry);
        Gauge.builder("securecomm_websocket_authenticated_connections", authenticatedConnections, AtomicInteger::get)
                .description("Open client WebSockets with an authenticated device").register(registry);
        enqueued = Counter.builder("securecomm_envelopes_enqueued").description("Envelopes persisted into mailboxes").register(registry);
        enqueuedBytes = DistributionSummary.builder("securecomm_envelope_size_bytes").baseUnit("bytes")
                .description("Ciphertext size of enqueued envelopes").register(registry);
        pushed = Counter.builder("securecomm_envelopes_pushed").description("Envelopes pushed to connected devices").register(registry);
        acknowledged = Counter.builder("securecomm_envelopes_acknowledged").description("Envelopes acknowledged and removed").register(registry);
        expired = Counter.builder("securecomm_envelopes_expired").description("Envelopes removed unread after their time to live").register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void deviceAuthenticated() {
        authenticatedConnections.incrementAndGet();
    }

    public void deviceDisconnected() {
        authenticatedConnections.decrementAndGet();
    }

    public void requestCompleted(String type, String outcome, long nanos) {
        Timer.builder("securecomm_requests").description("Client requests by type and outcome (OK or error code)")
                .tags("type", type, "outcome", outcome).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void frameRejected(ErrorCode code) {
        Counter.builder("securecomm_frames_rejected").description("Client frames rejected before reaching a handler")
                .tag("code", code.name()).register(registry).increment();
    }

    @Override
    public void enqueued(int bytes) {
        enqueued.increment();
        enqueuedBytes.record(bytes);
    }

    @Override
    public void pushed() {
        pushed.increment();
    }

    @Override
    public void acknowledged(int count) {
        acknowledged.increment(count);
    }

    @Override
    public void expired(int count) {
        expired.increment(count);
    }
}
