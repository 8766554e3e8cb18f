package org.securecomm.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.securecomm.ops.turn.CoturnServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code securecomm-bench coturn}: the same UDP media streams through the SecureComm media forwarder
 * (in this process) and then through coturn (Debian's, a separate process), one run each, and the
 * ratios. With {@code --rates}, steps the per-participant packet rate up and reports the highest
 * rate each sustains under the loss limit.
 */
@Command(name = "coturn", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        version = "securecomm-bench coturn 0.1.0-SNAPSHOT",
        description = {
                "Media relaying side by side: the SecureComm media forwarder (in this process) and coturn (Debian's",
                "turnserver, started on loopback) relay the same streams, one run each: rooms of participants sending",
                "at a fixed packet rate (open loop). The forwarder fans each packet out (SFU); coturn is a 1:1 relay, so each",
                "participant sends each packet once per receiver as ChannelData: both deliver the same packets out.",
                "Prints packets/s in and out, loss, added delay p50/p90/p99/p99.9, relay CPU, and forwarder/coturn ratios.",
                ""})
public final class CoturnCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    MediaStreamOptions media = new MediaStreamOptions();

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "30", description = "measurement per run (default: ${DEFAULT-VALUE})")
    int durationSeconds;

    @Option(names = "--coturn-relay-threads", paramLabel = "N",
            description = "coturn's relay-threads (0: relay in the listener thread) (default: as --forwarder-threads)")
    Integer coturnRelayThreads;

    @Option(names = "--rates", paramLabel = "RATE", split = ",",
            description = "step mode: run both at each of these packet rates per participant (instead of --packet-rate) and"
                    + " report the highest each sustains under --loss-limit")
    List<Integer> rates;

    @Option(names = "--loss-limit", paramLabel = "PERCENT", defaultValue = "1",
            description = "step mode: the most loss a sustained rate may have (default: ${DEFAULT-VALUE})")
    double lossLimitPercent;

    @Option(names = "--progress", paramLabel = "SECONDS", defaultValue = "5", description = "progress line interval (default: ${DEFAULT-VALUE})")
    int progressSeconds;

    @Option(names = "--pause", paramLabel = "SECONDS", defaultValue = "3", description = "pause between runs (default: ${DEFAULT-VALUE})")
    int pauseSeconds;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "also write the figures as CSV")
    Path csv;

    /** What one run of both relays gave at one rate. */
    private record Pair(int rate, MediaLoad.Result forwarder, MediaLoad.Result coturn) {
    }

    MediaLoad.Shape shape(int rate) {
        return media.shape(rate, durationSeconds, progressSeconds);
    }

    int relayThreads() {
        return coturnRelayThreads != null ? coturnRelayThreads : media.forwarderThreads;
    }

    void validate() {
        List<Integer> all = rates != null ? rates : List.of(media.packetRate);
        for (int rate : all) {
            String problem = shape(rate).problem();
            if (problem != null) {
                throw new ParameterException(spec.commandLine(), problem + (rates != null ? " (each of --rates too)" : ""));
            }
        }
        if (media.forwarderThreads < 1 || relayThreads() < 0 || relayThreads() > CoturnServer.Options.MAX_RELAY_THREADS) {
            throw new ParameterException(spec.commandLine(), "--forwarder-threads must be positive, --coturn-relay-threads 0 to "
                    + CoturnServer.Options.MAX_RELAY_THREADS);
        }
        // Two sockets per participant here (sender, receiver) under the 20,000 open-files limit; one relay port each in coturn.
        if ((long) media.rooms * media.participants > CoturnServer.Options.MAX_RELAY_PORTS / 2) {
            throw new ParameterException(spec.commandLine(), "--rooms x --participants must be at most "
                    + CoturnServer.Options.MAX_RELAY_PORTS / 2 + " (one coturn allocation and two sockets here each)");
        }
        if (lossLimitPercent <= 0 || lossLimitPercent >= 100 || pauseSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--loss-limit must be between 0 and 100 %, --pause not negative");
        }
        if (!CoturnServer.installed()) {
            throw new ParameterException(spec.commandLine(), "coturn is not installed (Debian: apt-get install coturn)");
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Report report = new Report();
        System.out.println("SecureComm media forwarder vs coturn");
        for (String fact : ProcStats.machineFacts()) {
            System.out.println("  " + fact);
            report.header(fact);
        }
        report.header(String.format(Locale.ROOT, "media: forwarder (in this JVM, %d I/O thread(s)) then coturn (Debian, relay-threads=%d),"
                + " same streams, same load generator, loopback UDP, one run each", media.forwarderThreads, relayThreads()));
        List<Pair> pairs = new ArrayList<>();
        for (int rate : rates != null ? rates.stream().sorted().distinct().toList() : List.of(media.packetRate)) {
            MediaLoad.Result forwarder = new ForwarderScenario(shape(rate), media.forwarderThreads).run(report);
            Scenarios.sleepSeconds(pauseSeconds);
            MediaLoad.Result coturn = new CoturnScenario(shape(rate), relayThreads()).run(report);
            Scenarios.sleepSeconds(pauseSeconds);
            pairs.add(new Pair(rate, forwarder, coturn));
        }
        if (rates == null) {
            compare(report, pairs.get(0));
        } else {
            steps(report, pairs);
        }
        report.print();
        if (json != null) {
            report.writeJson(json);
            System.out.println("figures written to " + json);
        }
        if (csv != null) {
            report.writeCsv(csv);
            System.out.println("figures written to " + csv);
        }
        return 0;
    }

    private static void compare(Report report, Pair pair) {
        MediaLoad.Result f = pair.forwarder;
        MediaLoad.Result c = pair.coturn;
        report.section("forwarder vs coturn at equal offered load (" + Report.rate(f.shape().offeredOut()) + " out): ratio SecureComm/coturn");
        double outRatio = f.receivedRate() / Math.max(1e-9, c.receivedRate());
        long fp99 = f.delays().getValueAtPercentile(99);
        long cp99 = c.delays().getValueAtPercentile(99);
        double p99Ratio = (double) fp99 / Math.max(1, cp99);
        report.line("packets out (received by participants): forwarder %s, coturn %s, ratio %.3f", Report.rate(f.receivedRate()),
                Report.rate(c.receivedRate()), outRatio);
        report.line("loss: forwarder %.3f%%, coturn %.3f%%", f.lossPercent(), c.lossPercent());
        report.line("p99 added delay: forwarder %s, coturn %s, ratio %.2f (below 1: the forwarder adds less)", Report.ms(fp99),
                Report.ms(cp99), p99Ratio);
        double cpuRatio = f.cpuMicrosPerPacketOut() / c.cpuMicrosPerPacketOut();
        report.line("relay CPU per packet out: forwarder %.2f µs (%.2f cores), coturn %.2f µs (%.2f cores), ratio %.2f (below 1: the"
                + " forwarder spends less)", f.cpuMicrosPerPacketOut(), f.relayCores(), c.cpuMicrosPerPacketOut(), c.relayCores(), cpuRatio);
        report.metric(new Report.Metric("media", "ratio", "CPU per packet out securecomm/coturn", cpuRatio, "x", f.shape().offeredOut()));
        report.metric(new Report.Metric("media", "ratio", "packets out securecomm/coturn", outRatio, "x", f.shape().offeredOut()));
        report.metric(new Report.Metric("media", "ratio", "p99 added delay securecomm/coturn", p99Ratio, "x", f.shape().offeredOut()));
        // Counting windows differ by a few packets; within 0.5% the two deliver the same.
        report.target("media forwarder at or above coturn's packet rate (same streams)",
                String.format(Locale.ROOT, "%s vs %s out, ratio %.3f", Report.rate(f.receivedRate()), Report.rate(c.receivedRate()), outRatio),
                outRatio >= 0.995);
    }

    private void steps(Report report, List<Pair> pairs) {
        report.section(String.format(Locale.ROOT, "step mode: highest packet rate per participant sustained with < %.1f%% loss", lossLimitPercent));
        report.line("%8s %12s | %12s %8s %9s | %12s %8s %9s", "rate", "offered out", "fwd out", "loss", "p99", "coturn out", "loss", "p99");
        int forwarderBest = 0;
        int coturnBest = 0;
        for (Pair p : pairs) {
            report.line("%8d %12s | %12s %7.2f%% %9s | %12s %7.2f%% %9s", p.rate, Report.rate(p.forwarder.shape().offeredOut()),
                    Report.rate(p.forwarder.receivedRate()), p.forwarder.lossPercent(), Report.ms(p.forwarder.delays().getValueAtPercentile(99)),
                    Report.rate(p.coturn.receivedRate()), p.coturn.lossPercent(), Report.ms(p.coturn.delays().getValueAtPercentile(99)));
            if (p.forwarder.lossPercent() < lossLimitPercent) {
                forwarderBest = Math.max(forwarderBest, p.rate);
            }
            if (p.coturn.lossPercent() < lossLimitPercent) {
                coturnBest = Math.max(coturnBest, p.rate);
            }
        }
        MediaLoad.Shape shape = pairs.get(0).forwarder.shape();
        report.line("forwarder sustains %d packets/s per participant (%s out), coturn %d (%s out); ratio SecureComm/coturn %s",
                forwarderBest, Report.rate(shape.withPacketRate(Math.max(1, forwarderBest)).offeredOut() * (forwarderBest > 0 ? 1 : 0)),
                coturnBest, Report.rate(shape.withPacketRate(Math.max(1, coturnBest)).offeredOut() * (coturnBest > 0 ? 1 : 0)),
                coturnBest == 0 ? "n/a (coturn sustained none of the rates)" : String.format(Locale.ROOT, "%.2f", (double) forwarderBest / coturnBest));
        report.metric("media", "securecomm", "highest sustained rate per participant", forwarderBest, "1/s");
        report.metric("media", "coturn", "highest sustained rate per participant", coturnBest, "1/s");
        boolean top = forwarderBest == pairs.get(pairs.size() - 1).rate && coturnBest == forwarderBest;
        report.target("media forwarder at or above coturn's packet rate (same streams)",
                String.format(Locale.ROOT, "%d vs %d packets/s per participant%s", forwarderBest, coturnBest,
                        top ? " (both held the highest rate tried: try higher --rates)" : ""),
                forwarderBest >= coturnBest);
    }
}
