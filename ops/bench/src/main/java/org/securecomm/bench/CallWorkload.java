package org.securecomm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.Push;

/**
 * Call set-ups and media streams: groups of bench devices (2 for 1:1 calls, more for group calls)
 * call each other through the relay with the real call signalling ({@link BenchCall}) and stream
 * media datagrams through the node's media forwarder over real UDP ({@link CallMedia}) for the call
 * length, then hang up. New calls start at the set-up rate, each on a group that is not in a call;
 * with every group busy the tick is counted as skipped.
 *
 * <p>Figures: set-up time (StartCall sent to keys and media flowing between every pair of
 * participants), ring time, set-ups/s, failed set-ups by error code, torn-down calls, media
 * packets/s sent and received, loss, one-way delay (send stamp to receipt: the forwarder's hop
 * plus this process's socket work).
 */
final class CallWorkload implements MixWorkload {

    /** How long a set-up, and a teardown, may take before it counts as failed. */
    static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param concurrentCalls  groups of devices, so the most calls at once
     * @param participants     devices per call, 2 (1:1) up to the relay's 16
     * @param setupsPerSecond  calls started per second (skipped while every group is in a call)
     * @param packetRate       media packets per second each participant sends (50 = 20 ms Opus frames)
     * @param payloadBytes     end-to-end payload per packet (MediaDatagrams payload header, send stamp, filler)
     * @param callLength       how long a call streams once set up
     */
    record Settings(int concurrentCalls, int participants, double setupsPerSecond, int packetRate, int payloadBytes, Duration callLength) {
        static final int MAX_PARTICIPANTS = 16;

        Settings {
            require(concurrentCalls >= 1, "calls: concurrent calls must be at least 1, got " + concurrentCalls);
            require(participants >= 2 && participants <= MAX_PARTICIPANTS,
                    "calls: participants per call must be 2 to " + MAX_PARTICIPANTS + " (the relay's calls.max-participants), got " + participants);
            require(setupsPerSecond > 0 && setupsPerSecond <= 1000, "calls: set-ups per second must be above 0 and at most 1000, got " + setupsPerSecond);
            require(packetRate >= 1 && packetRate <= 1000, "calls: packet rate must be 1 to 1000 packets/s per participant, got " + packetRate);
            require(payloadBytes >= CallMedia.MIN_PAYLOAD && payloadBytes <= MediaDatagrams.MAX_PAYLOAD,
                    "calls: payload bytes must be " + CallMedia.MIN_PAYLOAD + " to " + MediaDatagrams.MAX_PAYLOAD
                            + " (payload header and send stamp; datagram under the MTU), got " + payloadBytes);
            require(callLength != null && callLength.toMillis() >= 100, "calls: call length must be at least 100 ms, got " + callLength);
        }

        /** Participants sending media at once when every group is in a call. */
        int devices() {
            return concurrentCalls * participants;
        }
    }

    private final Settings settings;
    private final List<Group> groups = new ArrayList<>();
    private final Queue<Group> idle = new ConcurrentLinkedQueue<>();
    private final Set<BenchCall> active = ConcurrentHashMap.newKeySet();
    private final ErrorCounter failures = new ErrorCounter();
    private final LongAdder offered = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder started = new LongAdder();
    private final LongAdder setUp = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder tornDown = new LongAdder();
    private final LongAdder notTornDown = new LongAdder();
    private final LongAdder signals = new LongAdder();
    private final LongAdder mediaExpected = new LongAdder();
    private final LongAdder mediaReceived = new LongAdder();
    // Microseconds, up to an hour.
    private final Recorder setupTimes = new Recorder(3_600_000_000L, 3);
    private final Recorder ringTimes = new Recorder(3_600_000_000L, 3);
    private final Histogram setupTotal = new Histogram(3_600_000_000L, 3);
    private final Histogram ringTotal = new Histogram(3_600_000_000L, 3);
    private final Histogram delayTotal = new Histogram(3_600_000_000L, 3);
    private MixContext context;
    private CallMedia media;
    private ScheduledFuture<?> ticker;
    private long startNanos;
    private long stopNanos;
    private long lastProgressNanos;
    private long lastSetUp;
    private long lastSent;
    private long lastReceived;

    CallWorkload(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "calls";
    }

    @Override
    public void setUp(MixContext context) throws Exception {
        this.context = context;
        this.media = new CallMedia(settings.packetRate(), settings.payloadBytes());
        System.out.printf(Locale.ROOT, "calls: registering %d groups of %d devices%n", settings.concurrentCalls(), settings.participants());
        List<Group> registered = Accounts.runAll("calls: groups", settings.concurrentCalls(), context.setupConcurrency(),
                i -> registerGroup(), context.errors());
        for (Group group : registered) {
            if (group == null) {
                throw new IllegalStateException("calls: a group of devices could not be registered (see the errors above)");
            }
            groups.add(group);
            idle.add(group);
        }
    }

    /** One group: its devices registered and connected, each with its media socket; pushes go to the group's current call. */
    private CompletableFuture<Group> registerGroup() {
        Group group = new Group();
        List<CompletableFuture<BenchCall.Member>> members = new ArrayList<>();
        for (int i = 0; i < settings.participants(); i++) {
            int index = i;
            members.add(context.accounts().registerConnected("call", null).thenApply(connected -> {
                try {
                    BenchCall.Member member = new BenchCall.Member(index, connected.device(), connected.connection(), media.endpoint());
                    connected.connection().setPushListener((connection, push, nanos) -> group.onPush(member, push, nanos));
                    return member;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        return CompletableFuture.allOf(members.toArray(CompletableFuture[]::new)).thenApply(done -> {
            group.members = members.stream().map(CompletableFuture::join).toList();
            return group;
        });
    }

    /** A group's devices and its current call, which their pushes belong to: a group is in one call at a time. */
    private static final class Group {
        volatile List<BenchCall.Member> members = List.of();
        volatile BenchCall call;

        void onPush(BenchCall.Member member, Push push, long nanos) {
            BenchCall c = call;
            if (c != null) {
                c.onPush(member, push, nanos);
            }
        }
    }

    @Override
    public void start() {
        startNanos = System.nanoTime();
        lastProgressNanos = startNanos;
        setupTimes.reset();
        ringTimes.reset();
        media.delays().reset();
        long periodNanos = Math.max(1, Math.round(1e9 / settings.setupsPerSecond()));
        ticker = context.pool().scheduler().scheduleAtFixedRate(this::startOne, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void startOne() {
        offered.increment();
        Group group = idle.poll();
        if (group == null) {
            skipped.increment();
            return;
        }
        BenchCall call = new BenchCall(group.members, media, context.pool().scheduler(), listener(group), settings.callLength().toMillis(),
                SETUP_TIMEOUT.toMillis());
        group.call = call;
        active.add(call);
        started.increment();
        call.start();
    }

    private BenchCall.Listener listener(Group group) {
        return new BenchCall.Listener() {
            @Override
            public void rang(long micros) {
                ringTimes.recordValue(micros);
            }

            @Override
            public void setUp(BenchCall call, long micros) {
                setupTimes.recordValue(micros);
                setUp.increment();
            }

            @Override
            public void failed(BenchCall call, Throwable failure) {
                String kind = ErrorCounter.unwrap(failure) instanceof BenchCall.CallFailure f ? f.kind() : ErrorCounter.kind(ErrorCounter.unwrap(failure));
                if (call.wasSetUp()) {
                    kind = "TEARDOWN_" + kind; // EndCall refused: not a failed set-up
                } else {
                    failed.increment();
                }
                failures.count(kind);
                context.errors().count(kind);
                if (failures.total() <= 3) {
                    System.out.println("  calls: a call failed: " + kind + " " + ErrorCounter.unwrap(failure).getMessage());
                }
            }

            @Override
            public void media(long expected, long received) {
                mediaExpected.add(expected);
                mediaReceived.add(received);
            }

            @Override
            public void signalled() {
                signals.increment();
            }

            @Override
            public void finished(BenchCall call, boolean clean) {
                (clean ? tornDown : notTornDown).increment();
                active.remove(call);
                group.call = null;
                if (ticker != null && !ticker.isCancelled()) {
                    idle.add(group);
                }
            }
        };
    }

    @Override
    public String progress() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastProgressNanos) / 1e9);
        Histogram setups = setupTimes.getIntervalHistogram();
        setupTotal.add(setups);
        ringTotal.add(ringTimes.getIntervalHistogram());
        Histogram delays = media.delays().getIntervalHistogram();
        delayTotal.add(delays);
        long setUpNow = setUp.sum();
        long sentNow = media.sent();
        long receivedNow = media.received();
        String text = String.format(Locale.ROOT, "calls %d active, %.1f set-ups/s (p99 %s), %d failed, media out %s in %s (delay p99 %s)",
                active.size(), (setUpNow - lastSetUp) / seconds, setups.getTotalCount() == 0 ? "-" : Report.ms(setups.getValueAtPercentile(99)),
                failed.sum(), Report.rate((sentNow - lastSent) / seconds), Report.rate((receivedNow - lastReceived) / seconds),
                delays.getTotalCount() == 0 ? "-" : Report.ms(delays.getValueAtPercentile(99)));
        lastProgressNanos = now;
        lastSetUp = setUpNow;
        lastSent = sentNow;
        lastReceived = receivedNow;
        return text;
    }

    /** Stops starting calls, hangs up the calls in progress and waits (bounded) for their teardown. */
    @Override
    public void stop() {
        if (ticker == null) {
            return;
        }
        ticker.cancel(false);
        stopNanos = System.nanoTime();
        for (BenchCall call : active) {
            if (call.wasSetUp()) {
                call.hangUp();
            }
        }
        // Set-ups still running end by themselves (set up, then the call length, or their timeout): cut them short.
        long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos() * 2 + settings.callLength().toNanos();
        while (!active.isEmpty() && System.nanoTime() < deadline) {
            for (BenchCall call : active) {
                if (call.wasSetUp()) {
                    call.hangUp();
                }
            }
            Scenarios.sleepSeconds(0.05);
        }
        setupTotal.add(setupTimes.getIntervalHistogram());
        ringTotal.add(ringTimes.getIntervalHistogram());
        delayTotal.add(media.delays().getIntervalHistogram());
    }

    // ------------------------------------------------------------------ figures (for the report and the tests)

    long started() {
        return started.sum();
    }

    long setUpCalls() {
        return setUp.sum();
    }

    long failedCalls() {
        return failed.sum();
    }

    long tornDownCalls() {
        return tornDown.sum();
    }

    long notTornDownCalls() {
        return notTornDown.sum();
    }

    long mediaSent() {
        return media.sent();
    }

    long mediaReceived() {
        return mediaReceived.sum();
    }

    long mediaExpected() {
        return mediaExpected.sum();
    }

    int activeCalls() {
        return active.size();
    }

    ErrorCounter failures() {
        return failures;
    }

    @Override
    public void report(Report report) {
        double seconds = Math.max(1e-3, ((stopNanos == 0 ? System.nanoTime() : stopNanos) - startNanos) / 1e9);
        report.section(String.format(Locale.ROOT, "calls: %d groups x %d participants, %.1f set-ups/s offered, %d packets/s x %d-byte payloads"
                        + " per participant, %.1f s calls, %.0f s", settings.concurrentCalls(), settings.participants(), settings.setupsPerSecond(),
                settings.packetRate(), settings.payloadBytes(), settings.callLength().toMillis() / 1000.0, seconds));
        report.line("calls started %d (ticks skipped with every group busy: %d of %d), set up %d (%.2f/s), failed set-ups %d; failures by kind: %s",
                started.sum(), skipped.sum(), offered.sum(), setUp.sum(), setUp.sum() / seconds, failed.sum(), failures.describe());
        report.line("torn down (CallEnded at every participant) %d, not torn down %d; signals sent %d", tornDown.sum(), notTornDown.sum(), signals.sum());
        report.line("set-up time (StartCall to keys and media flowing both ways): %s", Report.percentiles(setupTotal));
        report.line("ring time (StartCall to IncomingCall at a callee): %s", Report.percentiles(ringTotal));
        long expected = mediaExpected.sum();
        long lost = Math.max(0, expected - mediaReceived.sum());
        report.line("media packets sent %s, received %s (all calls); in calls set up: lost %d of %d (%.3f%%); socket refusals %d",
                Report.rate(media.sent() / seconds), Report.rate(media.received() / seconds), lost, expected,
                100.0 * lost / Math.max(1, expected), media.sendRefused());
        report.line("one-way delay through the forwarder (send stamp to receipt, incl. this process's socket work): %s",
                Report.percentiles(delayTotal));
        double load = settings.setupsPerSecond();
        report.metric(new Report.Metric("calls", "securecomm", "set-ups", setUp.sum() / seconds, "calls/s", load));
        report.metric(new Report.Metric("calls", "securecomm", "failed set-ups", failed.sum(), "calls", load));
        report.metric(new Report.Metric("calls", "securecomm", "media sent", media.sent() / seconds, "packets/s", load));
        report.metric(new Report.Metric("calls", "securecomm", "media received", media.received() / seconds, "packets/s", load));
        report.metric(new Report.Metric("calls", "securecomm", "media loss", 100.0 * lost / Math.max(1, expected), "%", load));
        report.latencyMetrics("calls", "securecomm", "set-up time", setupTotal, load);
        report.latencyMetrics("calls", "securecomm", "one-way media delay", delayTotal, load);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.cancel(false);
        }
        for (Group group : groups) {
            group.members.forEach(m -> m.connection().startClose());
        }
        if (media != null) {
            media.close();
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
