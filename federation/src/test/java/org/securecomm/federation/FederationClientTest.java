package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.testing.MutableClock;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.federation.testing.TestHttpsServer;
import org.securecomm.protocol.federation.v1.FederationResponse;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.protocol.federation.v1.TransactionResult;

/**
 * Two clusters over real HTTPS: a.test sends with a FederationClient; b.test verifies with a
 * RequestVerifier that learns a.test's keys from a.test's well-known document.
 */
class FederationClientTest {

    private final MutableClock clock = new MutableClock(Instant.now());
    private final TestCertificateAuthority ca = TestCertificateAuthority.create();
    private final HttpClient http = Tls.httpClient(ca.trustingContext(), Duration.ofSeconds(5)).build();
    private final WellKnownHandler aWellKnown = new WellKnownHandler();
    private final WellKnownHandler bWellKnown = new WellKnownHandler();
    private final AtomicReference<RequestVerifier> bVerifier = new AtomicReference<>();
    private final AtomicReference<ServerKeys> aKeys = new AtomicReference<>();
    private TestHttpsServer a;
    private TestHttpsServer b;
    private FederationClient client;
    private DomainResolver bResolver;

    @BeforeEach
    void start() {
        a = new TestHttpsServer(ca.issue("a.test", "127.0.0.1")).handle(ServerDescriptions.WELL_KNOWN_PATH, aWellKnown);
        b = new TestHttpsServer(ca.issue("b.test", "127.0.0.1"))
                .handle(ServerDescriptions.WELL_KNOWN_PATH, bWellKnown)
                .handle("/v1/", this::federationEndpoint);
        Instant now = clock.instant();
        aKeys.set(new ServerKeys(ServerKeyPair.generate("ed25519:a1", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)))));
        publishA();
        ServerKeys bKeys = new ServerKeys(ServerKeyPair.generate("ed25519:b1", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))));
        bWellKnown.serve(ServerDescriptions.sign(bKeys, "b.test", b.baseUri(), now, Duration.ofHours(1)).toByteArray());

        bResolver = new DomainResolver(http, clock, Map.of("a.test", a.baseUri()));
        useBPolicy(PeerPolicy.open());
        DomainResolver aResolver = new DomainResolver(http, clock, Map.of("b.test", b.baseUri()));
        client = new FederationClient("a.test", () -> aKeys.get().current(), aResolver, http, clock, Duration.ofSeconds(5), 1024 * 1024);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private void publishA() {
        aWellKnown.serve(ServerDescriptions.sign(aKeys.get(), "a.test", URI.create("https://fed.a.test"), clock.instant(), Duration.ofHours(1)).toByteArray());
    }

    private void useBPolicy(PeerPolicy policy) {
        bVerifier.set(new RequestVerifier("b.test", Duration.ofMinutes(5), policy, new ReplayGuard(Duration.ofMinutes(5), 10_000), bResolver, clock));
    }

    /** b.test's federation endpoint: verify, then answer with the highest sequence number received. */
    private void federationEndpoint(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        if (!"POST".equals(exchange.getRequestMethod()) || !FederationClient.CONTENT_TYPE.equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            TestHttpsServer.respond(exchange, 415, "text/plain", new byte[0]);
            return;
        }
        String operation = path.substring(path.lastIndexOf('/') + 1);
        try {
            VerifiedRequest verified = bVerifier.get().verify(body, operation).toCompletableFuture().join();
            List<Pdu> pdus = Transaction.parseFrom(verified.body()).getPdusList();
            FederationResponse response = FederationResponse.newBuilder()
                    .setTransaction(TransactionResult.newBuilder().setAppliedThrough(pdus.get(pdus.size() - 1).getSequence()))
                    .build();
            TestHttpsServer.respond(exchange, 200, FederationClient.CONTENT_TYPE, response.toByteArray());
        } catch (CompletionException e) {
            FederationRejection rejection = (FederationRejection) e.getCause();
            TestHttpsServer.respond(exchange, rejection.httpStatus(), FederationClient.CONTENT_TYPE, rejection.toError().toByteArray());
        }
    }

    private static byte[] transaction(long... sequences) {
        Transaction.Builder transaction = Transaction.newBuilder();
        for (long sequence : sequences) {
            transaction.addPdus(Pdu.newBuilder().setSequence(sequence));
        }
        return transaction.build().toByteArray();
    }

    private FederationResponse send(byte[] body) {
        return client.send("b.test", "transaction", body).toCompletableFuture().join();
    }

    private <T extends Throwable> T sendFails(Class<T> type, String destination) {
        CompletionException thrown = assertThrows(CompletionException.class,
                () -> client.send(destination, "transaction", transaction(1)).toCompletableFuture().join());
        return assertInstanceOf(type, thrown.getCause());
    }

    @Test
    void acceptedEndToEnd() {
        assertEquals(3, send(transaction(1, 2, 3)).getTransaction().getAppliedThrough());
        assertEquals(4, send(transaction(4)).getTransaction().getAppliedThrough(), "each send is a new transaction id, not a replay");
        assertEquals(1, aWellKnown.fetches(), "b.test cached a.test's keys");
        assertEquals(1, bWellKnown.fetches(), "a.test cached b.test's endpoint");
    }

    @Test
    void rejectionBecomesPeerRejectedException() {
        useBPolicy(new PeerPolicy(Set.of(), Set.of("a.test"), 1024 * 1024, 10, 10, 10));
        PeerRejectedException rejected = sendFails(PeerRejectedException.class, "b.test");
        assertEquals(403, rejected.httpStatus());
        assertEquals(Rejection.PEER_NOT_ALLOWED, rejected.rejection());
        assertFalse(rejected.retryable());
    }

    @Test
    void rateLimitIsRetryable() {
        useBPolicy(new PeerPolicy(Set.of(), Set.of(), 1024 * 1024, 0.5, 1, 10));
        send(transaction(1));
        PeerRejectedException rejected = sendFails(PeerRejectedException.class, "b.test");
        assertEquals(Rejection.RATE_LIMITED, rejected.rejection());
        assertEquals(429, rejected.httpStatus());
        assertEquals(2, rejected.retryAfterSeconds());
        assertTrue(rejected.retryable());
    }

    @Test
    void rotationReachesThePeerThroughOneForcedRefresh() {
        send(transaction(1));
        Instant now = clock.instant();
        aKeys.set(aKeys.get().rotate(ServerKeyPair.generate("ed25519:a2", now, now.plus(Duration.ofDays(60)))));
        publishA();
        assertEquals(2, send(transaction(2)).getTransaction().getAppliedThrough());
        assertEquals(2, aWellKnown.fetches(), "the unknown key id made b.test refetch once");
        assertEquals("ed25519:a2", bResolver.cached("a.test").orElseThrow().keys().get(0).getKeyId());
    }

    @Test
    void unreachablePeers() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DomainResolver resolver = new DomainResolver(http, clock, Map.of("b.test", URI.create("https://127.0.0.1:" + closedPort)));
        FederationClient toNowhere = new FederationClient("a.test", () -> aKeys.get().current(), resolver, http, clock, Duration.ofSeconds(2), 1024);
        CompletionException thrown = assertThrows(CompletionException.class,
                () -> toNowhere.send("b.test", "transaction", transaction(1)).toCompletableFuture().join());
        PeerUnreachableException unreachable = assertInstanceOf(PeerUnreachableException.class, thrown.getCause());
        assertTrue(unreachable.retryable());

        // The description names an endpoint that is down: the exchange itself fails.
        bWellKnown.serve(ServerDescriptions.sign(new ServerKeys(ServerKeyPair.generate("ed25519:b1", clock.instant().minusSeconds(1),
                clock.instant().plus(Duration.ofDays(1)))), "c.test", URI.create("https://127.0.0.1:" + closedPort), clock.instant(), Duration.ofHours(1)).toByteArray());
        DomainResolver cResolver = new DomainResolver(http, clock, Map.of("c.test", b.baseUri()));
        FederationClient toC = new FederationClient("a.test", () -> aKeys.get().current(), cResolver, http, clock, Duration.ofSeconds(2), 1024);
        thrown = assertThrows(CompletionException.class, () -> toC.send("c.test", "transaction", transaction(1)).toCompletableFuture().join());
        assertInstanceOf(PeerUnreachableException.class, thrown.getCause());
    }

    @Test
    void answersThatAreNotFederationErrors() {
        b.handle("/v1/query", exchange -> TestHttpsServer.respond(exchange, 500, "text/html", "<h1>oops</h1>".getBytes()));
        CompletionException thrown = assertThrows(CompletionException.class,
                () -> client.send("b.test", "query", new byte[0]).toCompletableFuture().join());
        assertInstanceOf(PeerUnreachableException.class, thrown.getCause());

        b.handle("/v1/other", exchange -> TestHttpsServer.respond(exchange, 404, "text/plain", new byte[0]));
        thrown = assertThrows(CompletionException.class, () -> client.send("b.test", "other", new byte[0]).toCompletableFuture().join());
        PeerRejectedException rejected = assertInstanceOf(PeerRejectedException.class, thrown.getCause());
        assertEquals(404, rejected.httpStatus());
        assertEquals(Rejection.REJECTION_UNSPECIFIED, rejected.rejection());
        assertFalse(rejected.retryable());
    }

    @Test
    void refusesOperationsThatAreNotPathSegments() {
        assertThrows(IllegalArgumentException.class, () -> client.send("b.test", "../admin", new byte[0]));
    }
}
