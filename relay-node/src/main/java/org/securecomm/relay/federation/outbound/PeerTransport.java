package org.securecomm.relay.federation.outbound;

import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.protocol.federation.v1.TransactionResult;

/**
 * Sends one transaction to a remote domain (signed HTTPS POST in production). The stage
 * completes with the peer's answer, or exceptionally when the peer could not be reached or
 * refused the request; an exception implementing {@link RetryHint} says when to try again.
 * Called from inside an actor: it must not block.
 */
@FunctionalInterface
public interface PeerTransport {

    CompletionStage<TransactionResult> deliver(String domain, Transaction transaction);
}
