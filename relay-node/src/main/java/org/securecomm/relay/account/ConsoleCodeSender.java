package org.securecomm.relay.account;

import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Dev mode: prints {@code verification code for IDENTIFIER: CODE} on the node's console (standard
 * output, not the log), for the developer who is sitting in front of it.
 */
public final class ConsoleCodeSender implements VerificationCodeSender {

    private final PrintStream console;

    public ConsoleCodeSender(PrintStream console) {
        this.console = console;
    }

    @Override
    public CompletionStage<Void> send(String normalizedIdentifier, String code) {
        console.println("verification code for " + normalizedIdentifier + ": " + code);
        console.flush();
        return CompletableFuture.completedFuture(null);
    }
}
