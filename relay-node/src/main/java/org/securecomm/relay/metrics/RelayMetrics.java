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
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.media.DropReason;
import org.securecomm.relay.media.MediaForwarder;

/**
 * The node's Prometheus metrics (served at /metrics). Labels are request types and error codes
 * only: never accounts, addresses or anything a client wrote.
 */
public final class RelayMetrics implements Mailbox.Listener, MediaForwarder.Listener {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    // Request timers by type, then outcome: looked up on every request, so found in a map rather
    // than through Timer.builder(...).register(), which builds and hashes a meter id each time.
    private final Map<String, Map<String, Timer>> requestTimers = new ConcurrentHashMap<>();
    private final AtomicInteger authenticatedConnections = new AtomicInteger();
    private final Counter enqueued;
    private final DistributionSummary enqueuedBytes;
    private final Counter pushed;
    private final Counter acknowledged;
    private final Counter expired;
    private final Counter mediaPacketsIn;
    private final Counter mediaBytesIn;
    private final Counter mediaPacketsOut;
    private final Counter mediaBytesOut;
    private final Map<DropReason, Counter> mediaDropped = new EnumMap<>(DropReason.class);
    private final FederationMetrics federation = new FederationMetrics(registry, Clock.systemUTC());
    private final MailboxGauges mailboxes = new MailboxGauges(registry, Clock.systemUTC());
    private final Timer mailboxPersistence;

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
        mailboxPersistence = Timer.builder("securecomm_persistence_latency_seconds")
                .description("From a persisting command to the journal's confirmation (Cassandra write at LOCAL_QUORUM)")
                .tag("entity", "Mailbox").publishPercentileHistogram().register(registry);
        expired = Counter.builder("securecomm_envelopes_expired").description("Envelopes removed unread after their time to live").register(registry);
        mediaPacketsIn = Counter.builder("securecomm_media_packets_in").description("UDP datagrams received by the media forwarder, dropped ones too")
                .register(registry);
        mediaBytesIn = Counter.builder("securecomm_media_bytes_in").baseUnit("bytes").description("Bytes of those datagrams").register(registry);
        mediaPacketsOut = Counter.builder("securecomm_media_packets_out").description("UDP datagrams sent by the media forwarder (forwarded media, echoes)")
                .register(registry);
        mediaBytesOut = Counter.builder("securecomm_media_bytes_out").baseUnit("bytes").description("Bytes of those datagrams").register(registry);
        for (DropReason reason : DropReason.values()) {
            mediaDropped.put(reason, Counter.builder("securecomm_media_dropped").description("Datagrams the media forwarder dropped, by reason")
                    .tag("reason", reason.label()).register(registry));
        }
    }

    /** Gauges of the node's forwarder: open rooms and admitted participants. */
    public void watch(MediaForwarder forwarder) {
        Gauge.builder("securecomm_media_rooms", forwarder, MediaForwarder::rooms).description("Open media rooms (calls) on this node's forwarder")
                .register(registry);
        Gauge.builder("securecomm_media_participants", forwarder, MediaForwarder::participants)
                .description("Admitted participant tokens on this node's forwarder").register(registry);
    }

    /** Gauges of the cluster as this node sees it, and of the shards and entities of {@code types} it hosts. */
    public void watch(ActorSystem<?> system, List<EntityTypeKey<?>> types) {
        new ClusterGauges(registry, system, types);
    }

    /** The outbound federation queues' per-peer metrics: the listener for FederationEntities.initPeers. */
    public FederationMetrics federation() {
        return federation;
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
        requestTimers.computeIfAbsent(type, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> Timer.builder("securecomm_requests")
                        .description("Client requests by type and outcome (OK or error code)")
                        .tags("type", type, "outcome", outcome).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
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

    @Override
    public void persisted(long nanos) {
        mailboxPersistence.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queueChanged(String mailbox, int envelopes, long oldestServerTimestamp, boolean deviceConnected) {
        mailboxes.changed(mailbox, envelopes, oldestServerTimestamp, deviceConnected);
    }

    @Override
    public void stopped(String mailbox) {
        mailboxes.stopped(mailbox);
    }

    @Override
    public void received(int bytes) {
        mediaPacketsIn.increment();
        mediaBytesIn.increment(bytes);
    }

    @Override
    public void sent(int bytes) {
        mediaPacketsOut.increment();
        mediaBytesOut.increment(bytes);
    }

    @Override
    public void dropped(DropReason reason) {
        mediaDropped.get(reason).increment();
    }
}
