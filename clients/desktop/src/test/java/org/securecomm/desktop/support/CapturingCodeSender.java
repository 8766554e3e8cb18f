package org.securecomm.desktop.support;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.securecomm.protocol.Identifiers;
import org.securecomm.relay.account.VerificationCodeSender;

/** Keeps the last code per identifier where tests can read it, like a user reading a text. */
public final class CapturingCodeSender implements VerificationCodeSender {

    private final Map<String, String> lastCode = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Void> send(String normalizedIdentifier, String code) {
        lastCode.put(normalizedIdentifier, code);
        return CompletableFuture.completedFuture(null);
    }

    public String codeFor(String identifier) {
        String code = lastCode.get(Identifiers.normalize(identifier));
        if (code == null) {
            throw new AssertionError("no code was sent to " + identifier);
        }
        return code;
    }
}
