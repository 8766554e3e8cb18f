package org.securecomm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Messaging in the mix, open loop at a fixed rate: 1:1 (one-device accounts) or fan-out (accounts of
 * several devices), with a share of the receiving devices going offline and coming back, so the
 * relay queues for them and drains their mailbox when they return.
 */
final class MessagingWorkload implements MixWorkload {

    private static final int MAX_POLITE_ATTEMPTS = 40;

    private final MixSettings.Flow settings;
    private final MessageFlow flow;
    private final ErrorCounter errors = new ErrorCounter();
    private final ErrorCounter setupErrors = new ErrorCounter();
    private final long drainMillis;
    private final Random random = new Random();
    private final List<MessageFlow.Receiver> intermittent = new ArrayList<>();
    private Pacer pacer;
    private MixContext context;
    private volatile boolean cycling;
    private MessageFlow.Counters last;
    private MessageFlow.Counters startCounters;
    private MessageFlow.Counters stopCounters;
    private long leftAfterDrain = -1;
    private long neverSent;

    MessagingWorkload(MixSettings.Flow settings, MixSettings mix) {
        this.settings = settings;
        this.flow = new MessageFlow(settings.name(), mix.envelopeSize(), mix.ackBatch(), mix.sendWindow(), errors);
        this.drainMillis = mix.drainTimeout().toMillis();
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public void setUp(MixContext context) {
        this.context = context;
        int routes = flow.setUp(context.accounts(), settings.routes(), settings.devices(), context.setupConcurrency(), setupErrors);
        if (routes == 0) {
            throw new IllegalStateException(name() + ": no route could be set up (" + setupErrors.describe() + ")");
        }
        List<MessageFlow.Receiver> receivers = flow.receivers();
        int count = (int) Math.round(receivers.size() * settings.offlineShare());
        for (int i = 0; i < count; i++) {
            // spread over the routes, so fan-out accounts have some devices away and some present
            intermittent.add(receivers.get((int) ((long) i * receivers.size() / count)));
        }
    }

    @Override
    public void start() {
        long now = System.nanoTime();
        flow.recordWindow(now, Long.MAX_VALUE);
        startCounters = flow.counters();
        last = startCounters;
        cycling = true;
        long periodMillis = settings.offlinePeriod().toMillis();
        for (MessageFlow.Receiver receiver : intermittent) {
            scheduler().schedule(() -> goOffline(receiver, 0), random.nextInt((int) Math.max(1, periodMillis)), TimeUnit.MILLISECONDS);
        }
        pacer = new Pacer("bench-" + name() + "-pacer", flow::sendNext);
        pacer.start();
        pacer.rate(settings.rate());
    }

    private ScheduledExecutorService scheduler() {
        return context.pool().scheduler();
    }

    /** Leaves between two acknowledgements if it can, as an app closed by its user; under load, after 2 s anyway. */
    private void goOffline(MessageFlow.Receiver receiver, int attempt) {
        if (!cycling) {
            return;
        }
        if (!receiver.disconnect(attempt >= MAX_POLITE_ATTEMPTS)) {
            scheduler().schedule(() -> goOffline(receiver, attempt + 1), 50, TimeUnit.MILLISECONDS); // an acknowledgement is on its way
            return;
        }
        scheduler().schedule(() -> comeBack(receiver, true), settings.offlinePeriod().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void comeBack(MessageFlow.Receiver receiver, boolean thenLeaveAgain) {
        receiver.connect(context.accounts()).whenComplete((r, failure) -> {
            if (failure != null) {
                errors.count(failure);
            } else {
                flow.reconnected();
            }
            if (thenLeaveAgain && cycling) {
                scheduler().schedule(() -> goOffline(receiver, 0), settings.offlinePeriod().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    @Override
    public String progress() {
        MessageFlow.Counters now = flow.counters();
        double s = Math.max(1e-3, last.seconds(now));
        Histogram h = flow.progress.getIntervalHistogram();
        String text = String.format(Locale.ROOT, "%s: sent %s, pushed %s, p99 %s, outboxes %,d, offline %d", name(),
                Report.rate((now.sent() - last.sent()) / s), Report.rate((now.pushed() - last.pushed()) / s),
                h.getTotalCount() == 0 ? "-" : Report.ms(h.getValueAtPercentile(99)), flow.queued(),
                intermittent.stream().filter(r -> !r.online()).count());
        last = now;
        return text;
    }

    @Override
    public void stop() {
        if (pacer != null) {
            pacer.shutdown();
        }
        cycling = false;
        neverSent = flow.dropQueued();
        stopCounters = flow.counters();
        flow.recordWindow(startCounters == null ? Long.MAX_VALUE : startCounters.nanos(), stopCounters.nanos());
        // Wait for the sends in flight, then bring every device back so its mailbox drains.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (flow.inFlight() > 0 && System.nanoTime() < deadline) {
            Scenarios.sleepSeconds(0.05);
        }
        Scenarios.sleepSeconds(0.2); // a disconnect or reconnect scheduled just before may still run
        for (MessageFlow.Receiver receiver : intermittent) {
            if (!receiver.online()) {
                comeBack(receiver, false);
            }
        }
        leftAfterDrain = flow.awaitDrained(drainMillis);
    }

    @Override
    public void report(Report report) {
        if (startCounters == null || stopCounters == null) {
            report.section(name() + ": not run (" + setupErrors.describe() + ")");
            return;
        }
        double seconds = startCounters.seconds(stopCounters);
        double offered = settings.rate() * (double) settings.devices();
        report.section(String.format(Locale.ROOT, "%s: %d senders to %d accounts of %d device(s), %s messages offered"
                        + " (%s envelopes), %.0f%% of the receiving devices offline %d s at a time",
                name(), flow.routes().size(), flow.routes().size(), settings.devices(), Report.rate(settings.rate()),
                Report.rate(offered), settings.offlineShare() * 100, settings.offlinePeriod().toSeconds()));
        FlowFigures.report(report, name(), flow, startCounters, stopCounters, offered, 0);
        report.line("devices going offline and back: %d reconnects; envelopes delivered from the mailbox on reconnect: %d",
                flow.reconnects.sum(), flow.fromMailbox.sum());
        report.line("messages still waiting in the senders' outboxes at the end (never sent: the relay answered slower than they were due): %,d",
                neverSent);
        report.metric(name(), "securecomm", "messages never sent", neverSent, "count");
        FlowFigures.reportBooks(report, name(), flow, leftAfterDrain);
        report.line("errors: %s; set-up: %s", errors.describe(), setupErrors.describe());
        report.metric(name(), "securecomm", "errors", errors.total(), "count");
        report.metric(name(), "securecomm", "seconds", seconds, "s");
    }

    ErrorCounter errors() {
        return errors;
    }

    @Override
    public void close() {
        cycling = false;
        if (pacer != null) {
            pacer.shutdown();
        }
    }
}
