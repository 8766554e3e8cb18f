package org.securecomm.bench;

import org.HdrHistogram.Histogram;

/** The summary lines and metrics of a {@link MessageFlow} over one window (a workload's run, a sweep step). */
final class FlowFigures {

    private FlowFigures() {
    }

    /** Rates and latency between two counter snapshots; answers the achieved (acknowledged) envelope rate. */
    static double report(Report report, String scenario, MessageFlow flow, MessageFlow.Counters from, MessageFlow.Counters to,
                         double offeredEnvelopes, double offeredLoad) {
        double seconds = Math.max(1e-3, from.seconds(to));
        double sent = (to.sent() - from.sent()) / seconds;
        double accepted = (to.accepted() - from.accepted()) / seconds;
        double pushed = (to.pushed() - from.pushed()) / seconds;
        double acked = (to.acked() - from.acked()) / seconds;
        Histogram endToEnd = flow.endToEnd.getIntervalHistogram();
        Histogram accepting = flow.accepting.getIntervalHistogram();
        report.line("messages sent %s, accepted (persisted) %s; envelopes pushed %s, acknowledged %s (offered %s) over %.0f s",
                Report.rate(sent), Report.rate(accepted), Report.rate(pushed), Report.rate(acked), Report.rate(offeredEnvelopes), seconds);
        report.line("send -> accepted: %s", Report.percentiles(accepting));
        report.line("send -> push (end to end, devices online): %s", Report.percentiles(endToEnd));
        String system = "securecomm";
        report.metric(new Report.Metric(scenario, system, "offered envelopes", offeredEnvelopes, "1/s", offeredLoad));
        report.metric(new Report.Metric(scenario, system, "messages sent", sent, "1/s", offeredLoad));
        report.metric(new Report.Metric(scenario, system, "messages accepted", accepted, "1/s", offeredLoad));
        report.metric(new Report.Metric(scenario, system, "envelopes pushed", pushed, "1/s", offeredLoad));
        report.metric(new Report.Metric(scenario, system, "envelopes acknowledged", acked, "1/s", offeredLoad));
        report.latencyMetrics(scenario, system, "send to accepted", accepting, offeredLoad);
        report.latencyMetrics(scenario, system, "send to push", endToEnd, offeredLoad);
        return acked;
    }

    /** The exactly-once books, once everything drained. */
    static void reportBooks(Report report, String scenario, MessageFlow flow, long missing) {
        report.line("exactly once: %d envelopes accepted, %d received (%d missing after the drain), %d duplicates,"
                        + " %d pushed again before their acknowledgement was answered (at-least-once redelivery after a reconnect"
                        + " or a mailbox restart; a client drops them by id), %d received although their send failed (a timeout"
                        + " or lost connection after the relay had stored it)",
                flow.envelopesAccepted.sum(), flow.pushed.sum(), missing, flow.duplicates.sum(), flow.redelivered.sum(),
                flow.deliveredDespiteFailure());
        report.metric(scenario, "securecomm", "envelopes accepted", flow.envelopesAccepted.sum(), "count");
        report.metric(scenario, "securecomm", "envelopes received", flow.pushed.sum(), "count");
        report.metric(scenario, "securecomm", "envelopes missing", missing, "count");
        report.metric(scenario, "securecomm", "duplicates", flow.duplicates.sum(), "count");
        report.metric(scenario, "securecomm", "redelivered", flow.redelivered.sum(), "count");
        report.metric(scenario, "securecomm", "from mailbox", flow.fromMailbox.sum(), "count");
    }
}
