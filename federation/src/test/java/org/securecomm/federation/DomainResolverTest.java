package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.testing.MutableClock;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.federation.testing.TestHttpsServer;
import org.securecomm.protocol.federation.v1.Rejection;

class DomainResolverTest {

    private static final URI ENDPOINT = URI.create("https://fed.a.test:8448");

    private static TestCertificateAuthority ca;
    private static HttpClient http;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final WellKnownHandler wellKnown = new WellKnownHandler();
    private TestHttpsServer server;
    private ServerKeys keys;

    @BeforeAll
    static void tls() {
        ca = TestCertificateAuthority.create();
        http = Tls.httpClient(ca.trustingContext(), Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void closeClient() {
        http = null;
    }

    @BeforeEach
    void start() {
        server = new TestHttpsServer(ca.issue("a.test", "127.0.0.1")).handle("/", wellKnown);
        keys = new ServerKeys(ServerKeyPair.generate("ed25519:k1", clock.instant().minus(Duration.ofDays(1)), clock.instant().plus(Duration.ofDays(30))));
        publish(Duration.ofHours(4));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void publish(Duration validity) {
        wellKnown.serve(ServerDescriptions.sign(keys, "a.test", ENDPOINT, clock.instant(), validity).toByteArray());
    }

    private DomainResolver resolver(DomainResolver.Settings settings) {
        return new DomainResolver(http, clock, settings.withPinnedBases(Map.of("a.test", server.baseUri())));
    }

    private DomainResolver resolver() {
        return resolver(DomainResolver.Settings.defaults());
    }

    @Test
    void fetchesVerifiesAndCaches() {
        DomainResolver resolver = resolver();
        PeerDescription first = join(resolver.describe("a.test"));
        assertEquals(ENDPOINT, first.endpoint());
        assertEquals("ed25519:k1", first.keys().get(0).getKeyId());
        clock.advance(Duration.ofMinutes(30));
        assertSame(first, join(resolver.describe("a.test")));
        assertEquals(1, wellKnown.fetches());
    }

    @Test
    void refreshesAheadAtThreeQuartersOfTheValidity() throws InterruptedException {
        // A cache age cap above the validity, so only the 3/4 rule decides (the default 1 h cap would
        // start a background fetch of the old document at 179 min and race the publication below).
        DomainResolver resolver = resolver(DomainResolver.Settings.defaults().withMaxCacheAge(Duration.ofHours(10)));
        PeerDescription first = join(resolver.describe("a.test"));
        keys = keys.rotate(ServerKeyPair.generate("ed25519:k2", clock.instant(), clock.instant().plus(Duration.ofDays(60))));
        clock.advance(Duration.ofMinutes(179));
        assertSame(first, join(resolver.describe("a.test")));
        assertEquals(1, wellKnown.fetches(), "before 3/4 of 4 h nothing is fetched");

        clock.advance(Duration.ofMinutes(1));
        publish(Duration.ofHours(4));
        assertSame(first, join(resolver.describe("a.test")), "refresh-ahead answers from the cache at once");
        awaitCached(resolver, "ed25519:k2");
        assertEquals(2, wellKnown.fetches());
        assertEquals("ed25519:k2", join(resolver.describe("a.test")).keys().get(0).getKeyId());
    }

    @Test
    void maxCacheAgeCapsTheRefreshTime() throws InterruptedException {
        DomainResolver resolver = resolver(DomainResolver.Settings.defaults().withMaxCacheAge(Duration.ofMinutes(10)));
        join(resolver.describe("a.test"));
        clock.advance(Duration.ofMinutes(9));
        join(resolver.describe("a.test"));
        assertEquals(1, wellKnown.fetches());
        keys = keys.rotate(ServerKeyPair.generate("ed25519:k2", clock.instant(), clock.instant().plus(Duration.ofDays(60))));
        publish(Duration.ofHours(4));
        clock.advance(Duration.ofMinutes(1));
        join(resolver.describe("a.test"));
        awaitCached(resolver, "ed25519:k2");
    }

    @Test
    void servesTheCachedDocumentWhenARefreshFailsUntilItExpires() throws InterruptedException {
        DomainResolver resolver = resolver();
        PeerDescription first = join(resolver.describe("a.test"));
        wellKnown.failWith(503);
        clock.advance(Duration.ofHours(3));
        assertSame(first, join(resolver.describe("a.test")));
        awaitFetches(2);
        awaitIdle(resolver);
        // A forced refresh that fails also answers with the still-valid document.
        assertSame(first, join(resolver.refresh("a.test")));
        assertEquals(3, wellKnown.fetches());

        clock.advance(Duration.ofHours(1));
        FederationRejection rejection = assertUnreachable(resolver.describe("a.test"));
        assertTrue(rejection.getMessage().contains("503"), rejection.getMessage());
    }

    @Test
    void aFailedFirstFetchIsNotRetriedAtOnce() {
        wellKnown.failWith(500);
        DomainResolver resolver = resolver();
        assertUnreachable(resolver.describe("a.test"));
        assertUnreachable(resolver.describe("a.test"));
        assertEquals(1, wellKnown.fetches());
        wellKnown.failWith(0);
        clock.advance(Duration.ofSeconds(30));
        assertEquals("a.test", join(resolver.describe("a.test")).domain());
        assertEquals(2, wellKnown.fetches());
    }

    @Test
    void forcedRefreshIsRateLimitedPerDomain() {
        DomainResolver resolver = resolver();
        join(resolver.describe("a.test"));
        join(resolver.refresh("a.test"));
        assertEquals(2, wellKnown.fetches());
        for (int i = 0; i < 20; i++) {
            join(resolver.refresh("a.test"));
        }
        assertEquals(2, wellKnown.fetches(), "a flood of unknown key ids does not reach the peer");
        clock.advance(Duration.ofSeconds(30));
        join(resolver.refresh("a.test"));
        assertEquals(3, wellKnown.fetches());
    }

    @Test
    void concurrentLookupsShareOneFetch() throws InterruptedException {
        CountDownLatch release = wellKnown.holdFetches();
        DomainResolver resolver = resolver();
        List<CompletionStage<PeerDescription>> lookups = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lookups.add(i % 2 == 0 ? resolver.describe("a.test") : resolver.refresh("a.test"));
        }
        awaitFetches(1);
        release.countDown();
        for (CompletionStage<PeerDescription> lookup : lookups) {
            assertEquals("a.test", join(lookup).domain());
        }
        assertEquals(1, wellKnown.fetches());
    }

    @Test
    void refusesADocumentForAnotherDomain() {
        wellKnown.serve(ServerDescriptions.sign(keys, "evil.test", ENDPOINT, clock.instant(), Duration.ofHours(1)).toByteArray());
        assertTrue(assertUnreachable(resolver().describe("a.test")).getMessage().contains("another domain"));
    }

    @Test
    void refusesAnExpiredDocument() {
        wellKnown.serve(ServerDescriptions.sign(keys, "a.test", ENDPOINT, clock.instant().minus(Duration.ofHours(2)), Duration.ofHours(1)).toByteArray());
        assertTrue(assertUnreachable(resolver().describe("a.test")).getMessage().contains("expired"));
    }

    @Test
    void refusesPlainHttp() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> new DomainResolver(http, clock, Map.of("a.test", URI.create("http://127.0.0.1:" + server.port()))));
        // An https pin whose server speaks plain HTTP: the TLS handshake fails, nothing is trusted.
        HttpServer plain = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        plain.createContext("/", wellKnown);
        plain.start();
        try {
            DomainResolver.Settings settings = new DomainResolver.Settings(Map.of("a.test", URI.create("https://127.0.0.1:" + plain.getAddress().getPort())),
                    Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(1), 64 * 1024, 100);
            DomainResolver resolver = new DomainResolver(http, clock, settings);
            assertUnreachable(resolver.describe("a.test"));
        } finally {
            plain.stop(0);
        }
    }

    @Test
    void refusesAServerWithoutACertificateOfOurCa() {
        TestCertificateAuthority other = TestCertificateAuthority.create("Other CA");
        try (TestHttpsServer impostor = new TestHttpsServer(other.issue("a.test", "127.0.0.1")).handle("/", wellKnown)) {
            DomainResolver resolver = new DomainResolver(http, clock, Map.of("a.test", impostor.baseUri()));
            assertUnreachable(resolver.describe("a.test"));
        }
    }

    @Test
    void usesThePinnedBaseAndTheWellKnownPath() {
        // Only the pinned base can reach the test server: a.test does not resolve.
        assertEquals(ENDPOINT, join(resolver().describe("a.test")).endpoint());
        assertEquals(1, wellKnown.fetches());
        assertUnreachable(resolver().describe("not a domain"));
    }

    private static PeerDescription join(CompletionStage<PeerDescription> stage) {
        return stage.toCompletableFuture().join();
    }

    private static FederationRejection assertUnreachable(CompletionStage<PeerDescription> stage) {
        CompletableFuture<PeerDescription> future = stage.toCompletableFuture();
        CompletionException thrown = assertThrows(CompletionException.class, future::join);
        FederationRejection rejection = assertInstanceOf(FederationRejection.class, thrown.getCause());
        assertEquals(Rejection.ORIGIN_UNREACHABLE, rejection.rejection());
        return rejection;
    }

    private void awaitFetches(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (wellKnown.fetches() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, wellKnown.fetches());
    }

    /** Until the resolver has processed the answer of its fetch. */
    private static void awaitIdle(DomainResolver resolver) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (resolver.fetching("a.test") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(resolver.fetching("a.test"));
    }

    private static void awaitCached(DomainResolver resolver, String currentKeyId) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (resolver.cached("a.test").map(d -> d.keys().get(0).getKeyId().equals(currentKeyId)).orElse(false)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the resolver did not refresh to " + currentKeyId);
    }
}
