package org.securecomm.relay.federation;

import java.util.concurrent.CompletionStage;
import org.securecomm.federation.FederationClient;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.protocol.federation.v1.TransactionResult;

/** Delivers a peer queue's transactions as signed HTTPS requests. */
final class HttpsPeerTransport implements PeerTransport {

    private final FederationClient client;

    HttpsPeerTransport(FederationClient client) {
        this.client = client;
    }

    @Override
    public CompletionStage<TransactionResult> deliver(String domain, Transaction transaction) {
        return client.send(domain, "transaction", transaction.toByteArray()).thenApply(response -> {
            if (!response.hasTransaction()) {
                throw new IllegalStateException(domain + " answered a transaction with " + response.getKindCase());
            }
            return response.getTransaction();
        });
    }
}
