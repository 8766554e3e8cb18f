package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code ejabberd} subcommand's command line only: the comparison itself is a program, never run by the build. */
class EjabberdCommandTest {

    private static EjabberdCommand parse(String... args) {
        CommandLine.ParseResult result = RelayBenchmark.commandLine().parseArgs(args);
        EjabberdCommand command = result.subcommand().commandSpec().commandLine().getCommand();
        command.validate();
        return command;
    }

    @Test
    void isASubcommandWithTheMainCommandsNodeOptions() {
        EjabberdCommand command = parse("--node-heap", "2g", "ejabberd", "--part", "messaging", "--pairs", "10", "--messages", "1000");
        assertEquals(EjabberdCommand.Part.messaging, command.part);
        assertEquals(10, command.pairs);
        assertEquals(256, command.size);
        assertSame(RelayBenchmark.class, command.parent.getClass());
        assertTrue(command.parent.nodeJavaOpts().contains("-Xmx2g"), command.parent.nodeJavaOpts());
    }

    @Test
    void refusesOfflineQueuesBeyondAThousandAndPayloadsShorterThanTheHeader() {
        CommandLine.ParameterException queue = assertThrows(CommandLine.ParameterException.class,
                () -> parse("ejabberd", "--messages", "1001"));
        assertTrue(queue.getMessage().contains("--messages must be 1 to 1000"), queue.getMessage());
        assertThrows(CommandLine.ParameterException.class, () -> parse("ejabberd", "--size", "8"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("ejabberd", "--pairs", "0"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("ejabberd", "--part", "media"));
    }

    @Test
    void refusesMoreConnectionsThanThisProcessMayOpenFiles() {
        long limit = EjabberdCommand.openFilesLimit();
        assertTrue(limit > 0, "Linux reports the open files limit in /proc/self/limits");
        CommandLine.ParameterException tooMany = assertThrows(CommandLine.ParameterException.class,
                () -> parse("ejabberd", "--part", "connections", "--connections", Long.toString(limit)));
        assertTrue(tooMany.getMessage().contains("open files limit"), tooMany.getMessage());
    }
}
