package org.securecomm.federation;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.securecomm.federation.testing.TestHttpsServer;

/** Serves a peer's well-known document in tests: swappable, countable, breakable, holdable. */
final class WellKnownHandler implements HttpHandler {

    private final AtomicReference<byte[]> document = new AtomicReference<>(new byte[0]);
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile int failWithStatus;
    private volatile CountDownLatch hold;

    void serve(byte[] signedDescription) {
        document.set(signedDescription);
    }

    /** Answer this status instead of the document (0 = serve it). */
    void failWith(int status) {
        failWithStatus = status;
    }

    /** Make fetches wait until the returned latch is counted down. */
    CountDownLatch holdFetches() {
        CountDownLatch latch = new CountDownLatch(1);
        hold = latch;
        return latch;
    }

    int fetches() {
        return fetches.get();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        fetches.incrementAndGet();
        CountDownLatch latch = hold;
        if (latch != null) {
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!"GET".equals(exchange.getRequestMethod()) || !ServerDescriptions.WELL_KNOWN_PATH.equals(exchange.getRequestURI().getPath())) {
            TestHttpsServer.respond(exchange, 404, "text/plain", new byte[0]);
        } else if (failWithStatus != 0) {
            TestHttpsServer.respond(exchange, failWithStatus, "text/plain", new byte[0]);
        } else {
            TestHttpsServer.respond(exchange, 200, FederationClient.CONTENT_TYPE, document.get());
        }
    }
}
