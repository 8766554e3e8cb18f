package org.securecomm.desktop;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.securecomm.client.ClientOptions;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.Option;

/**
 * Options every command takes. The passphrase that unlocks the profile comes from
 * --passphrase-file, else SECURECOMM_PASSPHRASE, else a prompt on the terminal. No OS key store
 * is reachable from a plain JVM on every platform, so the passphrase is the only key source.
 */
public final class CommonOptions {

    /** Standard input shared by prompts and interactive commands (one buffered reader per process). */
    static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    @Option(names = "--profile", paramLabel = "DIR", description = "profile directory (default: ~/.securecomm/client)")
    Path profile;

    @Option(names = "--json", description = "machine-readable output: one JSON object per line")
    boolean json;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "file whose first line is the profile passphrase")
    Path passphraseFile;

    Path profileDir() {
        return profile != null ? profile : Path.of(System.getProperty("user.home"), ".securecomm", "client");
    }

    Output output() {
        return new Output(json);
    }

    char[] passphrase(boolean confirmNew) {
        try {
            if (passphraseFile != null) {
                return Files.readAllLines(passphraseFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").toCharArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the passphrase file: " + e.getMessage(), e);
        }
        String fromEnv = System.getenv("SECURECOMM_PASSPHRASE");
        if (fromEnv != null) {
            return fromEnv.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no passphrase: use --passphrase-file FILE or set SECURECOMM_PASSPHRASE");
        }
        char[] passphrase = console.readPassword("Passphrase for %s: ", profileDir());
        if (confirmNew && !java.util.Arrays.equals(passphrase, console.readPassword("Repeat the passphrase: "))) {
            throw new IllegalArgumentException("the passphrases differ");
        }
        return passphrase;
    }

    ClientOptions clientOptions() {
        return ClientOptions.defaults();
    }

    /** Opens the profile without connecting. */
    SecureCommClient open() {
        return SecureCommClient.open(profileDir(), passphrase(false), clientOptions());
    }

    /** Opens the profile and connects to its relay. */
    SecureCommClient connect() {
        return connect(null);
    }

    /** Opens the profile and connects to its relay; {@code states} (may be null) sees the first connection too. */
    SecureCommClient connect(java.util.function.Consumer<org.securecomm.client.ConnectionEvent> states) {
        SecureCommClient client = open();
        if (states != null) {
            client.onConnectionState(states);
        }
        client.onIdentityChange(change -> System.err.println("warning: the identity key of " + change.address()
                + " changed; sending to it waits until you compare safety numbers and run: securecomm trust " + change.address()));
        try {
            client.connect();
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Asks for one line on the terminal (prompt on standard error, so standard output stays clean). */
    static String prompt(String question) {
        System.err.print(question);
        System.err.flush();
        try {
            String line = STDIN.readLine();
            if (line == null) {
                throw new IllegalArgumentException("standard input ended before an answer to: " + question.strip());
            }
            return line.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
