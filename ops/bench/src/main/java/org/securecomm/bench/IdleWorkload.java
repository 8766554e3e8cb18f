package org.securecomm.bench;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Ping;

/**
 * The connection storm and then idle devices: accounts are registered first (not measured), then
 * every device opens its WebSocket and authenticates with {@code concurrency} connects in flight,
 * as fast as the node lets them (measured: connects/s, connect latency, errors). In the steady mix
 * each device sends the SDK's heartbeat, a Ping every few seconds, and the round trip is measured.
 */
final class IdleWorkload implements MixWorkload {

    private static final long TICK_MILLIS = 100;

    private final MixSettings.Storm storm;
    private final long heartbeatMillis;
    private final ErrorCounter stormErrors = new ErrorCounter();
    private final ErrorCounter errors = new ErrorCounter();
    private final Recorder connectLatency = new Recorder(3);
    private final Recorder pingLatency = new Recorder(3);
    private final Recorder pingProgress = new Recorder(3);
    private final LongAdder pings = new LongAdder();
    private final AtomicInteger lost = new AtomicInteger();
    private List<BenchConnection> devices = List.of();
    private MixContext context;
    private double stormSeconds;
    private int registered;
    private ScheduledFuture<?> heartbeats;
    private long startNanos;
    private long stopNanos;
    private long cursor;
    private long lastPings;
    private long lastProgressNanos;

    IdleWorkload(MixSettings.Storm storm, long heartbeatMillis) {
        this.storm = storm;
        this.heartbeatMillis = heartbeatMillis;
    }

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public void setUp(MixContext context) {
        this.context = context;
        int perAccount = storm.devicesPerAccount();
        int accounts = (storm.devices() + perAccount - 1) / perAccount;
        List<Device> all = Accounts.runAll("storm: registering " + accounts + " accounts of up to " + perAccount + " devices (not measured)",
                accounts, context.setupConcurrency(), i -> context.accounts().registerWithDevices("i",
                        Math.min(perAccount, storm.devices() - i * perAccount)), stormErrors)
                .stream().filter(Objects::nonNull).flatMap(List::stream).toList();
        registered = all.size();
        System.out.printf(Locale.ROOT, "%n== connection storm: %,d devices connect and authenticate, %d at once%n", registered, storm.concurrency());
        long start = System.nanoTime();
        devices = Accounts.runAll("storm: connecting", all.size(), storm.concurrency(), i -> {
            long begin = System.nanoTime();
            return context.accounts().connect(all.get(i), null).thenApply(c -> {
                connectLatency.recordValue((System.nanoTime() - begin) / 1000);
                c.closed().whenComplete((code, e) -> lost.incrementAndGet());
                return c;
            });
        }, stormErrors).stream().filter(Objects::nonNull).toList();
        stormSeconds = (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void start() {
        startNanos = System.nanoTime();
        lastProgressNanos = startNanos;
        if (devices.isEmpty()) {
            return;
        }
        // Every tick pings the devices whose turn it is, so each one pings once per heartbeat interval.
        double perTick = devices.size() * (double) TICK_MILLIS / heartbeatMillis;
        double[] carry = {0};
        heartbeats = context.pool().scheduler().scheduleAtFixedRate(() -> {
            carry[0] += perTick;
            int n = (int) carry[0];
            carry[0] -= n;
            for (int i = 0; i < n; i++) {
                ping(devices.get((int) (cursor++ % devices.size())));
            }
        }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void ping(BenchConnection connection) {
        if (!connection.isOpen()) {
            return;
        }
        long begin = System.nanoTime();
        connection.call(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance())).whenComplete((pong, failure) -> {
            if (failure != null) {
                errors.count(failure);
                return;
            }
            long micros = (System.nanoTime() - begin) / 1000;
            pings.increment();
            pingLatency.recordValue(micros);
            pingProgress.recordValue(micros);
        });
    }

    @Override
    public String progress() {
        long now = System.nanoTime();
        long count = pings.sum();
        Histogram h = pingProgress.getIntervalHistogram();
        String text = String.format(Locale.ROOT, "idle: %,d open, pings %s p99 %s", devices.stream().filter(BenchConnection::isOpen).count(),
                Report.rate((count - lastPings) / Math.max(1e-3, (now - lastProgressNanos) / 1e9)),
                h.getTotalCount() == 0 ? "-" : Report.ms(h.getValueAtPercentile(99)));
        lastPings = count;
        lastProgressNanos = now;
        return text;
    }

    @Override
    public void stop() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        stopNanos = System.nanoTime();
        Scenarios.sleepSeconds(0.5); // the last pings' answers
    }

    @Override
    public void report(Report report) {
        Histogram connect = connectLatency.getIntervalHistogram();
        double connectRate = devices.size() / Math.max(stormSeconds, 1e-3);
        report.section(String.format(Locale.ROOT, "connection storm: %,d devices registered, %,d connected and authenticated in %.1f s,"
                + " %d connects in flight", registered, devices.size(), stormSeconds, storm.concurrency()));
        report.line("connects: %s; connect + authenticate latency: %s", Report.rate(connectRate), Report.percentiles(connect));
        report.line("errors: %s", stormErrors.describe());
        report.metric("storm", "securecomm", "devices connected", devices.size(), "count");
        report.metric("storm", "securecomm", "connects", connectRate, "1/s");
        report.latencyMetrics("storm", "securecomm", "connect", connect, 0);
        report.metric("storm", "securecomm", "errors", stormErrors.total(), "count");

        Histogram ping = pingLatency.getIntervalHistogram();
        double seconds = Math.max(1e-3, (stopNanos - startNanos) / 1e9);
        long open = devices.stream().filter(BenchConnection::isOpen).count();
        report.section(String.format(Locale.ROOT, "idle devices: a Ping every %d ms each (the SDK's heartbeat)", heartbeatMillis));
        report.line("still open at the end: %,d of %,d (%d lost); pings answered %s, round trip %s", open, devices.size(), lost.get(),
                Report.rate(pings.sum() / seconds), Report.percentiles(ping));
        report.line("errors: %s", errors.describe());
        report.metric(name(), "securecomm", "devices open", open, "count");
        report.metric(name(), "securecomm", "pings", pings.sum() / seconds, "1/s");
        report.latencyMetrics(name(), "securecomm", "ping round trip", ping, 0);
        report.metric(name(), "securecomm", "errors", errors.total(), "count");
    }

    ErrorCounter errors() {
        return errors;
    }

    ErrorCounter stormErrors() {
        return stormErrors;
    }

    int open() {
        return (int) devices.stream().filter(BenchConnection::isOpen).count();
    }

    @Override
    public void close() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
    }
}
