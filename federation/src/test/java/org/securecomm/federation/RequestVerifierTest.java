package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.testing.MutableClock;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.RequestHeader;
import org.securecomm.protocol.federation.v1.SignedRequest;

class RequestVerifierTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final byte[] BODY = {10, 3, 'p', 'd', 'u'};

    private final MutableClock clock = new MutableClock(T0);
    private final ServerKeyPair key = ServerKeyPair.generate("ed25519:k1", T0.minus(Duration.ofDays(10)), T0.plus(Duration.ofDays(20)));
    /** What a.example publishes now; tests change it to model rotation. */
    private final AtomicReference<List<ServerKeyPair>> published = new AtomicReference<>(List.of(key));
    private final AtomicInteger describes = new AtomicInteger();
    private final AtomicInteger refreshes = new AtomicInteger();
    private final KeySource keySource = new KeySource() {
        @Override
        public CompletionStage<PeerDescription> describe(String domain) {
            describes.incrementAndGet();
            return CompletableFuture.completedFuture(description(domain));
        }

        @Override
        public CompletionStage<PeerDescription> refresh(String domain) {
            refreshes.incrementAndGet();
            return CompletableFuture.completedFuture(description(domain));
        }
    };

    private PeerDescription description(String domain) {
        return new PeerDescription(domain, URI.create("https://" + domain), published.get().stream().map(ServerKeyPair::toServerKey).toList(),
                clock.instant().plus(Duration.ofHours(1)));
    }

    private RequestVerifier verifier(PeerPolicy policy, KeySource source) {
        return new RequestVerifier("b.example", SKEW, policy, new ReplayGuard(SKEW, 10_000), source, clock);
    }

    private RequestVerifier verifier() {
        return verifier(PeerPolicy.open(), keySource);
    }

    private byte[] request(ServerKeyPair signer) {
        return RequestSigner.sign(signer, "a.example", "b.example", "transaction", BODY, clock.instant()).toByteArray();
    }

    @Test
    void acceptsAValidRequest() throws Exception {
        byte[] request = request(key);
        VerifiedRequest verified = verifier().verify(request, "transaction").toCompletableFuture().join();
        assertEquals("a.example", verified.origin());
        assertEquals("ed25519:k1", verified.keyId());
        assertArrayEquals(BODY, verified.body());
        assertEquals(RequestHeader.parseFrom(SignedRequest.parseFrom(request).getHeader()), verified.header());
        assertEquals(0, refreshes.get());
    }

    @Test
    void tooLarge() {
        PeerPolicy small = new PeerPolicy(Set.of(), Set.of(), 100, 10, 10, 10);
        byte[] request = RequestSigner.sign(key, "a.example", "b.example", "transaction", new byte[200], T0).toByteArray();
        assertRejected(Rejection.TOO_LARGE, verifier(small, keySource), request, "transaction");
    }

    @Test
    void malformedRequests() {
        RequestVerifier verifier = verifier();
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, new byte[] {(byte) 0xff, 1, 2}, "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, request(key), "query");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.setTransactionId(ByteString.copyFrom(new byte[15]))), "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.setBodyDigest(ByteString.copyFrom(new byte[31]))), "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.clearOrigin()), "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.setOrigin("A.EXAMPLE")), "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.clearDestination()), "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.clearTimestampMillis()), "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.setKeyId("k1")), "transaction");
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, signedHeader(h -> h.clearOperation()), "");
        byte[] headerNotAProto = SignedRequest.newBuilder().setHeader(ByteString.copyFrom(new byte[] {(byte) 0xff})).build().toByteArray();
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, headerNotAProto, "transaction");
        assertEquals(0, describes.get(), "malformed requests cost no key look-up");
    }

    @Test
    void wrongDestination() {
        byte[] request = RequestSigner.sign(key, "a.example", "c.example", "transaction", BODY, T0).toByteArray();
        assertRejected(Rejection.WRONG_DESTINATION, verifier(), request, "transaction");
    }

    @Test
    void peerNotAllowed() {
        assertRejected(Rejection.PEER_NOT_ALLOWED, verifier(new PeerPolicy(Set.of(), Set.of("a.example"), 1000, 10, 10, 10), keySource), request(key), "transaction");
        assertRejected(Rejection.PEER_NOT_ALLOWED, verifier(new PeerPolicy(Set.of("c.example"), Set.of(), 1000, 10, 10, 10), keySource), request(key), "transaction");
        assertEquals(0, describes.get());
    }

    @Test
    void rateLimited() {
        RequestVerifier verifier = verifier(new PeerPolicy(Set.of(), Set.of(), 10_000, 1, 2, 10), keySource);
        verifier.verify(request(key), "transaction").toCompletableFuture().join();
        verifier.verify(request(key), "transaction").toCompletableFuture().join();
        FederationRejection rejection = assertRejected(Rejection.RATE_LIMITED, verifier, request(key), "transaction");
        assertEquals(1, rejection.retryAfterSeconds());
        assertEquals(429, rejection.httpStatus());
        clock.advance(Duration.ofSeconds(1));
        verifier.verify(request(key), "transaction").toCompletableFuture().join();
    }

    @Test
    void clockSkewBothWays() {
        RequestVerifier verifier = verifier();
        byte[] old = RequestSigner.sign(key, "a.example", "b.example", "transaction", BODY, T0.minus(SKEW).minusMillis(1)).toByteArray();
        byte[] future = RequestSigner.sign(key, "a.example", "b.example", "transaction", BODY, T0.plus(SKEW).plusMillis(1)).toByteArray();
        byte[] edge = RequestSigner.sign(key, "a.example", "b.example", "transaction", BODY, T0.minus(SKEW)).toByteArray();
        assertRejected(Rejection.CLOCK_SKEW, verifier, old, "transaction");
        assertRejected(Rejection.CLOCK_SKEW, verifier, future, "transaction");
        assertRejected(Rejection.CLOCK_SKEW, verifier, signedHeader(h -> h.setTimestampMillis(-1L)), "transaction");
        verifier.verify(edge, "transaction").toCompletableFuture().join();
    }

    @Test
    void originUnreachable() {
        KeySource down = new KeySource() {
            @Override
            public CompletionStage<PeerDescription> describe(String domain) {
                return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
            }

            @Override
            public CompletionStage<PeerDescription> refresh(String domain) {
                return describe(domain);
            }
        };
        FederationRejection rejection = assertRejected(Rejection.ORIGIN_UNREACHABLE, verifier(PeerPolicy.open(), down), request(key), "transaction");
        assertEquals(502, rejection.httpStatus());
    }

    @Test
    void unknownKeyAfterOneForcedRefresh() {
        ServerKeyPair stranger = ServerKeyPair.generate("ed25519:k9", T0.minusSeconds(10), T0.plus(Duration.ofDays(1)));
        assertRejected(Rejection.UNKNOWN_KEY, verifier(), request(stranger), "transaction");
        assertEquals(1, refreshes.get());
    }

    @Test
    void newKeyIdTriggersARefreshThenVerifies() {
        RequestVerifier verifier = verifier();
        ServerKeyPair next = ServerKeyPair.generate("ed25519:k2", T0, T0.plus(Duration.ofDays(60)));
        AtomicReference<PeerDescription> cached = new AtomicReference<>(description("a.example"));
        KeySource caching = new KeySource() {
            @Override
            public CompletionStage<PeerDescription> describe(String domain) {
                return CompletableFuture.completedFuture(cached.get());
            }

            @Override
            public CompletionStage<PeerDescription> refresh(String domain) {
                refreshes.incrementAndGet();
                cached.set(description(domain));
                return CompletableFuture.completedFuture(cached.get());
            }
        };
        verifier = verifier(PeerPolicy.open(), caching);
        published.set(List.of(next, key)); // the peer rotated after we cached its description
        VerifiedRequest verified = verifier.verify(request(next), "transaction").toCompletableFuture().join();
        assertEquals("ed25519:k2", verified.keyId());
        assertEquals(1, refreshes.get());
        verifier.verify(request(next), "transaction").toCompletableFuture().join();
        assertEquals(1, refreshes.get(), "the refreshed description is used from then on");
    }

    @Test
    void oldButUnexpiredKeyVerifiesThenExpires() {
        ServerKeyPair next = ServerKeyPair.generate("ed25519:k2", T0, T0.plus(Duration.ofDays(60)));
        published.set(List.of(next, key));
        RequestVerifier verifier = verifier();
        assertEquals("ed25519:k1", verifier.verify(request(key), "transaction").toCompletableFuture().join().keyId());

        clock.set(key.expiresAt());
        FederationRejection rejection = assertRejected(Rejection.EXPIRED_KEY, verifier, request(key), "transaction");
        assertEquals(401, rejection.httpStatus());
        assertEquals("ed25519:k2", verifier.verify(request(next), "transaction").toCompletableFuture().join().keyId());
    }

    @Test
    void keyNotYetValidAtTheTimestamp() {
        ServerKeyPair early = ServerKeyPair.generate("ed25519:k3", T0.plusSeconds(60), T0.plus(Duration.ofDays(60)));
        published.set(List.of(early, key));
        assertRejected(Rejection.EXPIRED_KEY, verifier(), request(early), "transaction");
    }

    @Test
    void badSignatures() throws InvalidProtocolBufferException {
        RequestVerifier verifier = verifier();
        SignedRequest valid = SignedRequest.parseFrom(request(key));
        byte[] flipped = valid.getSignature().toByteArray();
        flipped[10] ^= 1;
        assertRejected(Rejection.BAD_SIGNATURE, verifier, valid.toBuilder().setSignature(ByteString.copyFrom(flipped)).build().toByteArray(), "transaction");
        assertRejected(Rejection.BAD_SIGNATURE, verifier, valid.toBuilder().clearSignature().build().toByteArray(), "transaction");
        // A key of the right id but another secret: an impostor who knows the key id.
        ServerKeyPair impostor = ServerKeyPair.generate("ed25519:k1", key.validFrom(), key.expiresAt());
        assertRejected(Rejection.BAD_SIGNATURE, verifier, request(impostor), "transaction");
        // The header signed for another context (a description signature) is no request signature.
        byte[] header = valid.getHeader().toByteArray();
        byte[] otherContext = key.sign(FederationSignatures.DESCRIPTION_CONTEXT, header);
        assertRejected(Rejection.BAD_SIGNATURE, verifier, valid.toBuilder().setSignature(ByteString.copyFrom(otherContext)).build().toByteArray(), "transaction");
    }

    @Test
    void bodyMustMatchItsDigest() throws InvalidProtocolBufferException {
        SignedRequest valid = SignedRequest.parseFrom(request(key));
        byte[] altered = valid.toBuilder().setBody(ByteString.copyFromUtf8("another body")).build().toByteArray();
        FederationRejection rejection = assertRejected(Rejection.MALFORMED_REQUEST, verifier(), altered, "transaction");
        assertTrue(rejection.getMessage().contains("digest"), rejection.getMessage());
    }

    @Test
    void replayedAndForgeriesDoNotPoisonTheGuard() throws InvalidProtocolBufferException {
        RequestVerifier verifier = verifier();
        byte[] request = request(key);
        SignedRequest valid = SignedRequest.parseFrom(request);
        byte[] forged = valid.toBuilder().setSignature(ByteString.copyFrom(new byte[64])).build().toByteArray();
        assertRejected(Rejection.BAD_SIGNATURE, verifier, forged, "transaction");
        byte[] alteredBody = valid.toBuilder().setBody(ByteString.copyFromUtf8("x")).build().toByteArray();
        assertRejected(Rejection.MALFORMED_REQUEST, verifier, alteredBody, "transaction");

        verifier.verify(request, "transaction").toCompletableFuture().join();
        FederationRejection rejection = assertRejected(Rejection.REPLAYED, verifier, request, "transaction");
        assertEquals(409, rejection.httpStatus());
    }

    /** A header built from a valid one, changed, and signed properly: only the change is wrong. */
    private byte[] signedHeader(UnaryOperator<RequestHeader.Builder> change) {
        try {
            SignedRequest valid = SignedRequest.parseFrom(request(key));
            RequestHeader header = change.apply(RequestHeader.parseFrom(valid.getHeader()).toBuilder()).build();
            byte[] bytes = header.toByteArray();
            return valid.toBuilder()
                    .setHeader(ByteString.copyFrom(bytes))
                    .setSignature(ByteString.copyFrom(key.sign(FederationSignatures.REQUEST_CONTEXT, bytes)))
                    .build()
                    .toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static FederationRejection assertRejected(Rejection expected, RequestVerifier verifier, byte[] request, String operation) {
        CompletableFuture<VerifiedRequest> result = verifier.verify(request, operation).toCompletableFuture();
        CompletionException thrown = assertThrows(CompletionException.class, result::join);
        FederationRejection rejection = assertInstanceOf(FederationRejection.class, thrown.getCause());
        assertEquals(expected, rejection.rejection(), rejection.getMessage());
        return rejection;
    }
}
