package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The `coturn` subcommand's command line only: the comparison itself is a program, never run by the build. */
class CoturnCommandOptionsTest {

    private static CoturnCommand parse(String... args) {
        CommandLine cl = RelayBenchmark.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        CoturnCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        command.validate();
        return command;
    }

    @Test
    void defaultsMatchTheForwarderScenarioAndOneRelayThreadEach() {
        CoturnCommand command = parse("coturn");
        MediaLoad.Shape shape = command.shape(command.media.packetRate);
        assertEquals(new MediaLoad.Shape(100, 5, 50, 160, 10, 30, 5), shape);
        assertEquals(25_000, shape.offeredIn());
        assertEquals(100_000, shape.offeredOut());
        assertEquals(1, command.media.forwarderThreads);
        assertEquals(1, command.relayThreads(), "coturn's relay-threads follow --forwarder-threads");
        assertNull(command.rates);
    }

    @Test
    void stepModeTakesAListOfRatesAndCoturnThreadsCanDiffer() {
        CoturnCommand command = parse("coturn", "--rates", "50,100,200", "--forwarder-threads", "2", "--coturn-relay-threads", "0");
        assertEquals(List.of(50, 100, 200), command.rates);
        assertEquals(0, command.relayThreads());
        assertEquals(2, command.media.forwarderThreads);
    }

    @Test
    void badSizesAreRefusedWithTheReason() {
        CommandLine.ParameterException rate = assertThrows(CommandLine.ParameterException.class,
                () -> parse("coturn", "--rates", "50,0"));
        assertTrue(rate.getMessage().contains("--packet-rate 1 to 10000"), rate.getMessage());
        assertThrows(CommandLine.ParameterException.class, () -> parse("coturn", "--participants", "1"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("coturn", "--payload", "8"));
        CommandLine.ParameterException many = assertThrows(CommandLine.ParameterException.class,
                () -> parse("coturn", "--rooms", "5000", "--participants", "5"));
        assertTrue(many.getMessage().contains("at most 10000"), many.getMessage());
    }
}
