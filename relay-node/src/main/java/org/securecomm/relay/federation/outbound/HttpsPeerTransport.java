package org.securecomm.relay.federation.outbound;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.securecomm.federation.FederationClient;
import org.securecomm.federation.PeerRejectedException;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.protocol.federation.v1.TransactionResult;
import org.securecomm.relay.federation.ErrorText;

/** Delivers a peer queue's transactions as signed HTTPS requests. */
public final class HttpsPeerTransport implements PeerTransport {

    /** A refusal that says when to try again (RATE_LIMITED): the queue waits at least that long. */
    static final class RetryLater extends RuntimeException implements RetryHint {
        private static final long serialVersionUID = 1L;
        private final Duration retryAfter;

        RetryLater(PeerRejectedException cause) {
            super(cause.getMessage(), cause);
            this.retryAfter = Duration.ofSeconds(cause.retryAfterSeconds());
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.of(retryAfter);
        }
    }

    private final FederationClient client;

    public HttpsPeerTransport(FederationClient client) {
        this.client = client;
    }

    @Override
    public CompletionStage<TransactionResult> deliver(String domain, Transaction transaction) {
        return client.send(domain, "transaction", transaction.toByteArray()).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = ErrorText.cause(failure);
                if (cause instanceof PeerRejectedException rejected && rejected.retryAfterSeconds() > 0) {
                    throw new RetryLater(rejected);
                }
                throw failure instanceof CompletionException completion ? completion : new CompletionException(cause);
            }
            if (!response.hasTransaction()) {
                throw new IllegalStateException(domain + " answered a transaction with " + response.getKindCase());
            }
            return response.getTransaction();
        });
    }
}
