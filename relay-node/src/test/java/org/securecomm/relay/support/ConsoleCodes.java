package org.securecomm.relay.support;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tees standard output and reads verification codes from the dev node's console lines
 * ({@code verification code for IDENTIFIER: CODE}), as a developer would.
 */
public final class ConsoleCodes implements CodeSource, AutoCloseable {

    private final PrintStream original = System.out;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public ConsoleCodes() {
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public synchronized void write(int b) {
                original.write(b);
                captured.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                captured.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
    }

    public synchronized String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String codeFor(String identifier) {
        Matcher matcher = Pattern.compile("verification code for " + Pattern.quote(identifier) + ": (\\d+)").matcher(output());
        String code = null;
        while (matcher.find()) {
            code = matcher.group(1);
        }
        if (code == null) {
            throw new AssertionError("the console shows no code for " + identifier);
        }
        return code;
    }

    @Override
    public void close() {
        System.setOut(original);
    }
}
