package org.securecomm.desktop;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code securecomm}: the scriptable command line client. */
@Command(name = "securecomm", mixinStandardHelpOptions = true, version = "securecomm 0.1.0",
        description = "End-to-end encrypted messaging and calls from the command line.",
        subcommands = {RegisterCommand.class, LinkCommand.class, DevicesCommand.class, ContactsCommand.class, SendCommand.class,
                ReceiveCommand.class, ChatCommand.class, SafetyNumberCommand.class, VerifyCommand.class, TrustCommand.class,
                TimerCommand.class, CallCommand.class, AnswerCommand.class, DeclineCommand.class, CallsCommand.class,
                ServersCommand.class})
public final class Main {

    // Held here: java.util.logging forgets the level of a logger nobody references.
    private static final List<Logger> QUIET = List.of(Logger.getLogger("org.ice4j"), Logger.getLogger("org.jitsi"));

    public static void main(String[] args) {
        quietLogs();
        System.exit(run(args));
    }

    /**
     * The terminal is the user's: only warnings of our own code reach it. ice4j logs every ICE step
     * at INFO and a stack trace when its sockets close at hang-up; those stay off.
     */
    private static void quietLogs() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(Level.WARNING);
        }
        QUIET.forEach(logger -> logger.setLevel(Level.OFF));
    }

    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        // One clear line on standard error and a non-zero exit code; no stack traces.
        commandLine.setExecutionExceptionHandler((error, line, parsed) -> {
            System.err.println("error: " + Errors.describe(error));
            return 1;
        });
        commandLine.setParameterExceptionHandler((error, args1) -> {
            System.err.println("error: " + error.getMessage() + " (see: securecomm " + commandPath(error.getCommandLine()) + "--help)");
            return 2;
        });
        return commandLine.execute(args);
    }

    private static String commandPath(CommandLine line) {
        String name = line.getCommandSpec().qualifiedName(" ");
        return name.startsWith("securecomm ") ? name.substring("securecomm ".length()) + " " : "";
    }
}
