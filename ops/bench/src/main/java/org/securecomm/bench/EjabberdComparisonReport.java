package org.securecomm.bench;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The text and metrics of the SecureComm-vs-ejabberd comparison: both systems' figures and the ratio SecureComm/ejabberd. */
final class EjabberdComparisonReport {

    static final String SCENARIO_OFFLINE = "ejabberd-comparison offline messaging";
    static final String SCENARIO_ONLINE = "ejabberd-comparison online messaging";
    static final String SCENARIO_IDLE = "ejabberd-comparison idle connections";
    private static final double HEAP_TARGET_KIB = 4.0 * 1024 * 1024;

    private final Report report;

    EjabberdComparisonReport(Report report) {
        this.report = report;
    }

    void messaging(MessagingFigures ours, MessagingFigures theirs, int messagesPerSender, int size) {
        boolean online = ours.online();
        String scenario = online ? SCENARIO_ONLINE : SCENARIO_OFFLINE;
        report.section(String.format(Locale.ROOT, "%s: %d senders x %d messages of %d opaque bytes%s", scenario, ours.senders(),
                messagesPerSender, size, online
                        ? " - recipients ONLINE: NOT equal durability (ejabberd routes in memory and stores nothing, SecureComm persists)"
                        : " - recipients offline, both persist what they queue (ejabberd: mod_offline in mnesia, disc_only_copies,"
                        + " no fsync; SecureComm: Cassandra mailbox, commitlog_sync periodic 10 s): acknowledged after a write to the OS"));
        report.line("bytes on the wire per message, sender -> server: SecureComm %d (protobuf in a WebSocket frame), ejabberd %d"
                + " (<message> with the payload base64 in <body>, plus the XEP-0198 <r/>)", ours.bytesUp(), theirs.bytesUp());
        report.line("bytes per message, server -> recipient: SecureComm %d, ejabberd %d (as Smack re-serializes the stanza it got)",
                ours.bytesDown(), theirs.bytesDown());
        for (MessagingFigures f : new MessagingFigures[] {ours, theirs}) {
            report.line("%-10s %s: %,d of %,d accepted in %.1f s = %s; accept latency %s", f.system(), online ? "send" : "store",
                    f.accepted(), f.sent(), f.storeSeconds(), Report.rate(f.acceptedPerSecond()), Report.percentiles(f.acceptMicros()));
            report.line("%-10s   server CPU %.0f µs per message; %s", "", f.storeCpu().microsPer(f.accepted()), f.storeCpu().text());
            if (!online) {
                report.line("%-10s drain: %,d delivered%s in %.1f s = %s; %,d in offline storage before the drain; missing %,d,"
                                + " duplicates %,d", f.system(), f.delivered(), "securecomm".equals(f.system()) ? " and acknowledged" : "",
                        f.drainSeconds(), Report.rate(f.deliveredPerSecond()), f.stored(), f.missing(), f.duplicates());
                report.line("%-10s   server CPU %.0f µs per message; %s", "", f.drainCpu().microsPer(f.delivered()), f.drainCpu().text());
            } else {
                report.line("%-10s delivered %,d (%s), missing %,d, duplicates %,d", f.system(), f.delivered(),
                        Report.rate(f.deliveredPerSecond()), f.missing(), f.duplicates());
            }
            report.line("%-10s errors: %s", "", f.errors());
            metrics(scenario, f);
        }
        double ratio = ratio(ours.acceptedPerSecond(), theirs.acceptedPerSecond());
        report.line("ratio SecureComm/ejabberd: accepted/s %.2f, accept p99 %.2f, server CPU per accepted message %.2f%s", ratio,
                ratio(p99(ours.acceptMicros()), p99(theirs.acceptMicros())),
                ratio(ours.storeCpu().microsPer(ours.accepted()), theirs.storeCpu().microsPer(theirs.accepted())),
                online ? "" : String.format(Locale.ROOT, "; delivered/s %.2f", ratio(ours.deliveredPerSecond(), theirs.deliveredPerSecond())));
        report.metric(scenario, "ratio", "accepted per second securecomm/ejabberd", ratio, "x");
        if (!online) {
            boolean complete = ours.missing() == 0 && theirs.missing() == 0 && ours.duplicates() == 0;
            report.target("relay at or above ejabberd's message throughput at equal durability", String.format(Locale.ROOT,
                    "%s vs %s accepted (ratio %.2f), drain %s vs %s%s", Report.rate(ours.acceptedPerSecond()),
                    Report.rate(theirs.acceptedPerSecond()), ratio, Report.rate(ours.deliveredPerSecond()),
                    Report.rate(theirs.deliveredPerSecond()), complete ? "" : " (messages missing or duplicated: see above)"),
                    ratio >= 1.0 && complete);
        }
    }

    private void metrics(String scenario, MessagingFigures f) {
        report.metric(scenario, f.system(), "accepted per second", f.acceptedPerSecond(), "1/s");
        report.latencyMetrics(scenario, f.system(), "accept latency", f.acceptMicros(), 0);
        report.metric(scenario, f.system(), "server CPU per accepted message", f.storeCpu().microsPer(f.accepted()), "us");
        report.metric(scenario, f.system(), "delivered per second", f.deliveredPerSecond(), "1/s");
        report.metric(scenario, f.system(), "missing", f.missing(), "messages");
        report.metric(scenario, f.system(), "duplicates", f.duplicates(), "messages");
        report.metric(scenario, f.system(), "bytes per message sender to server", f.bytesUp(), "B");
        if (f.drainCpu() != null) {
            report.metric(scenario, f.system(), "server CPU per delivered message", f.drainCpu().microsPer(f.delivered()), "us");
        }
    }

    void idle(IdleFigures ours, IdleFigures theirs, long fdLimit, int heartbeatSeconds) {
        report.section(String.format(Locale.ROOT, "%s: %,d authenticated idle connections requested per server (open files limit %,d;"
                + " heartbeats every 20 s: relay WebSocket pings, XMPP whitespace every %d s)", SCENARIO_IDLE, ours.requested(),
                fdLimit, heartbeatSeconds));
        for (IdleFigures f : new IdleFigures[] {ours, theirs}) {
            report.line("%-10s %,d connected in %.1f s (%s), %,d still open after the idle period; server CPU %.0f µs per login",
                    f.system(), f.connected(), f.connectSeconds(), Report.rate(f.connectionsPerSecond()), f.stillOpen(),
                    f.connectCpu().microsPer(f.connected()));
            report.line("%-10s   RSS %s -> %s = %.1f KiB per connection%s; errors: %s", "", mib(f.rssBeforeKib()), mib(f.rssAfterKib()),
                    f.rssPerConnectionKib(), Double.isNaN(f.heapPerConnectionKib()) ? "" : String.format(Locale.ROOT,
                            "; heap after GC %s -> %s = %.1f KiB per connection", mib(f.heapBeforeKib()), mib(f.heapAfterKib()),
                            f.heapPerConnectionKib()), f.errors());
            report.metric(SCENARIO_IDLE, f.system(), "connections held", f.stillOpen(), "connections");
            report.metric(SCENARIO_IDLE, f.system(), "connections per second", f.connectionsPerSecond(), "1/s");
            report.metric(SCENARIO_IDLE, f.system(), "RSS per connection", f.rssPerConnectionKib(), "KiB");
            if (!Double.isNaN(f.heapPerConnectionKib())) {
                report.metric(SCENARIO_IDLE, f.system(), "heap per connection", f.heapPerConnectionKib(), "KiB");
            }
        }
        double rssRatio = ratio(ours.rssPerConnectionKib(), theirs.rssPerConnectionKib());
        report.line("ratio SecureComm/ejabberd: RSS per connection %.2f, connections per second %.2f", rssRatio,
                ratio(ours.connectionsPerSecond(), theirs.connectionsPerSecond()));
        report.metric(SCENARIO_IDLE, "ratio", "RSS per connection securecomm/ejabberd", rssRatio, "x");
        if (!Double.isNaN(ours.heapPerConnectionKib()) && ours.heapBeforeKib().isPresent()) {
            double at50k = ours.heapBeforeKib().getAsLong() + 50_000 * ours.heapPerConnectionKib();
            report.line("extrapolated SecureComm heap for 50,000 idle connections: %s (base %s + 50,000 x %.1f KiB) vs 4 GiB: %s;"
                    + " not shown here: one process may hold at most %,d files on this machine", mib(java.util.OptionalLong.of((long) at50k)),
                    mib(ours.heapBeforeKib()), ours.heapPerConnectionKib(), at50k <= HEAP_TARGET_KIB ? "fits" : "does NOT fit", fdLimit);
            report.target("50,000 idle connections in a 4 GiB heap (extrapolated)", String.format(Locale.ROOT, "%s for 50,000 from %,d held",
                    mib(java.util.OptionalLong.of((long) at50k)), ours.stillOpen()), at50k <= HEAP_TARGET_KIB);
        }
    }

    private static double ratio(double ours, double theirs) {
        return theirs == 0 || Double.isNaN(theirs) ? Double.NaN : ours / theirs;
    }

    private static double p99(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99);
    }

    private static String mib(java.util.OptionalLong kib) {
        return kib.isPresent() ? ProcStats.mib(kib.getAsLong()) : "?";
    }
}
