package org.securecomm.desktop;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code securecomm}: the scriptable command line client. */
@Command(name = "securecomm", mixinStandardHelpOptions = true, version = "securecomm 0.1.0",
        description = "End-to-end encrypted messaging and calls from the command line.",
        subcommands = {RegisterCommand.class, LinkCommand.class, DevicesCommand.class, ContactsCommand.class, SendCommand.class,
                ReceiveCommand.class, ChatCommand.class, SafetyNumberCommand.class, VerifyCommand.class, TrustCommand.class,
                TimerCommand.class, CallCommand.class, AnswerCommand.class, DeclineCommand.class, CallsCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
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
