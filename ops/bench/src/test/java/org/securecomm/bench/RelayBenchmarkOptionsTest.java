package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line only: the benchmark itself is a program, never run by the build. */
class RelayBenchmarkOptionsTest {

    private static RelayBenchmark parse(String... args) {
        CommandLine cl = RelayBenchmark.commandLine();
        cl.parseArgs(args);
        RelayBenchmark options = cl.getCommand();
        options.validate();
        return options;
    }

    @Test
    void defaultsStartANodeAndRunTheMix() {
        RelayBenchmark options = parse();
        assertNull(options.url);
        assertEquals(RelayBenchmark.Scenario.mix, options.scenario);
        assertTrue(!options.runs(RelayBenchmark.Scenario.throughput), "the mix runs alone");
        assertEquals(1000, options.mixSettings().storm().devices(), "the default scenario file");
        assertEquals(50, options.pairs);
        assertEquals(256, options.envelopeBytes);
        assertEquals(2000, options.rate);
        assertEquals(10_000, options.connections);
        assertTrue(parse("--scenario", "all").runs(RelayBenchmark.Scenario.idle));
        assertTrue(opts(options).contains("-Dsecurecomm.media.port=0"), "other nodes on the machine hold the fixed media port");
        String opts = options.nodeJavaOpts();
        assertTrue(opts.startsWith("-Xms64m -Xmx1g "), opts);
        assertTrue(opts.contains("-Dsecurecomm.verification.test-identifier-prefix=+1555000"), opts);
        assertTrue(opts.contains("-Dsecurecomm.limits.envelopes-per-second=100000"), opts);
        assertTrue(opts.contains("-Dsecurecomm.accounts.password-hash.memory-kib=1024"), opts);
    }

    @Test
    void selectsAScenarioCaseInsensitivelyAndSizes() {
        RelayBenchmark options = parse("--url", "ws://127.0.0.1:8080/v1/websocket", "--scenario", "LATENCY", "--rate", "500",
                "--connections", "100", "--password-hash-memory-kib", "0");
        assertEquals(URI.create("ws://127.0.0.1:8080/v1/websocket"), options.url);
        assertTrue(options.runs(RelayBenchmark.Scenario.latency));
        assertTrue(!options.runs(RelayBenchmark.Scenario.throughput));
        assertEquals(500, options.rate);
        assertTrue(!options.nodeJavaOpts().contains("memory-kib"));
    }

    @Test
    void forwarderScenarioRunsAloneWithItsOwnSizes() {
        RelayBenchmark options = parse("--scenario", "forwarder", "--rooms", "100", "--participants", "5", "--packet-rate", "50",
                "--payload", "160", "--duration", "30");
        assertTrue(options.runs(RelayBenchmark.Scenario.forwarder));
        assertTrue(!options.runs(RelayBenchmark.Scenario.throughput));
        assertTrue(!parse().runs(RelayBenchmark.Scenario.forwarder), "all: the node scenarios only");
        assertEquals(160, options.media.payloadBytes);
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "forwarder", "--payload", "8"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "forwarder", "--participants", "1"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "forwarder", "--url", "ws://localhost:1/v1/websocket"));
    }

    private static String opts(RelayBenchmark options) {
        return options.nodeJavaOpts();
    }

    @Test
    void theMixTakesAScenarioFileOverridesAndOutputs() {
        RelayBenchmark options = parse("--scenario-file", "scenarios/smoke.conf", "--set", "messaging.rate=80",
                "--set", "sweep.rates=[100,200]", "--json", "out.json", "--csv", "out.csv", "--plot", "out.png");
        MixSettings mix = options.mixSettings();
        assertEquals(80, mix.messaging().rate());
        assertEquals(java.util.List.of(100, 200), mix.sweep().rates());
        assertEquals(20, mix.storm().devices(), "from the file");
        CommandLine.ParameterException bad = assertThrows(CommandLine.ParameterException.class,
                () -> parse("--set", "messaging.rate=-3").mixSettings());
        assertTrue(bad.getMessage().contains("messaging.rate must be 0 to"), bad.getMessage());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "throughput", "--scenario-file", "scenarios/smoke.conf"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "latency", "--set", "messaging.rate=5"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "latency", "--plot", "x.png"));
    }

    @Test
    void rejectsContradictionsAndNonsense() {
        assertThrows(CommandLine.ParameterException.class, () -> parse("--url", "ws://localhost:1/v1/websocket", "--start-node"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--url", "http://localhost:1/"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--size", "8"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--devices-per-account", "7"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--node-pid", "42"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "everything"));
    }
}
