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
    void defaultsStartANodeAndRunEveryScenario() {
        RelayBenchmark options = parse();
        assertNull(options.url);
        assertEquals(RelayBenchmark.Scenario.all, options.scenario);
        assertEquals(50, options.pairs);
        assertEquals(256, options.envelopeBytes);
        assertEquals(2000, options.rate);
        assertEquals(10_000, options.connections);
        assertTrue(options.runs(RelayBenchmark.Scenario.idle));
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
        assertEquals(160, options.payloadBytes);
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "forwarder", "--payload", "8"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "forwarder", "--participants", "1"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--scenario", "forwarder", "--url", "ws://localhost:1/v1/websocket"));
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
