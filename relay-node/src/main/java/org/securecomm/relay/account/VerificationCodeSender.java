package org.securecomm.relay.account;

import java.util.concurrent.CompletionStage;

/**
 * Delivers a one-time verification code to the person behind an identifier. The identifier is
 * handed over here and nowhere else: implementations must not log or store it.
 */
public interface VerificationCodeSender {

    CompletionStage<Void> send(String normalizedIdentifier, String code);
}
