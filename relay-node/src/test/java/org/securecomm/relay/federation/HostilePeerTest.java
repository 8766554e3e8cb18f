package org.securecomm.relay.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigValueFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.CallEnded;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.federation.v1.DevicePush;
import org.securecomm.protocol.federation.v1.EnvelopeDelivery;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.RemoteEnvelope;
import org.securecomm.protocol.federation.v1.SignedRequest;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.relay.support.FederatedClusters;
import org.securecomm.relay.support.HostilePeer;
import org.securecomm.relay.support.TestDevice;

/**
 * A hostile peer against a real cluster: every kind of request the receiver must refuse is sent,
 * each is refused with its rejection, HTTP status and a metric, and only the one correct
 * transaction among them reaches the recipient's mailbox (once, though it is also replayed).
 */
class HostilePeerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String DESTINATION = "b.test";

    private static HostilePeer evil;
    private static HostilePeer denied;
    private static HostilePeer flood;
    private static HostilePeer stranger;
    private static FederatedClusters clusters;
    private static TestDevice bob;
    private static URI endpoint;

    @BeforeAll
    static void start() {
        TestCertificateAuthority ca = TestCertificateAuthority.create("hostile test CA");
        evil = HostilePeer.start(ca, "evil.test");
        denied = HostilePeer.start(ca, "denied.test");
        flood = HostilePeer.start(ca, "flood.test");
        stranger = HostilePeer.start(ca, "stranger.test");
        // An allow list without stranger.test; denied.test is on both lists: the deny list wins.
        clusters = FederatedClusters.start(List.of(DESTINATION), Map.of(
                        "securecomm.federation.allow", ConfigValueFactory.fromIterable(List.of("evil.test", "flood.test", "denied.test")),
                        "securecomm.federation.deny", ConfigValueFactory.fromIterable(List.of("denied.test")),
                        "securecomm.federation.requests-per-second", 1,
                        "securecomm.federation.request-burst", 30),
                ca, Map.of(evil.domain(), evil.baseUrl(), denied.domain(), denied.baseUrl(), flood.domain(), flood.baseUrl(),
                        stranger.domain(), stranger.baseUrl()));
        FederatedClusters.Cluster b = clusters.cluster(DESTINATION);
        bob = TestDevice.register(b.node().clientUrl(), b.codes(), "bob-hostile@example.org", "bob");
        endpoint = URI.create("https://127.0.0.1:" + b.federationPort() + "/federation");
    }

    @AfterAll
    static void stop() {
        if (bob != null) {
            bob.close();
        }
        if (clusters != null) {
            clusters.close();
        }
        for (HostilePeer peer : new HostilePeer[] {evil, denied, flood, stranger}) {
            if (peer != null) {
                peer.close();
            }
        }
    }

    @Test
    void everyBadRequestIsRefusedAndOnlyTheGoodOneIsDeliveredOnce() throws Exception {
        Instant now = Instant.now();
        byte[] refusedBody = envelopes("mallory@evil.test", "refused");

        expect(Rejection.BAD_SIGNATURE, 401, flipLastBit(signed(refusedBody, now)));
        expect(Rejection.BAD_SIGNATURE, 401, signed(refusedBody, now).toBuilder().setSignature(ByteString.EMPTY).build().toByteArray());
        expect(Rejection.UNKNOWN_KEY, 401, evil.sign(evil.unpublishedKey(), DESTINATION, "transaction", refusedBody, now).toByteArray());
        expect(Rejection.EXPIRED_KEY, 401, evil.sign(evil.expiredKey(), DESTINATION, "transaction", refusedBody, now).toByteArray());
        expect(Rejection.WRONG_DESTINATION, 403, evil.sign(evil.currentKey(), "c.test", "transaction", refusedBody, now).toByteArray());
        expect(Rejection.CLOCK_SKEW, 401, evil.sign(evil.currentKey(), DESTINATION, "transaction", refusedBody,
                now.minus(Duration.ofHours(1))).toByteArray());
        // the body is not the one whose digest was signed
        expect(Rejection.MALFORMED_REQUEST, 400, signed(refusedBody, now).toBuilder()
                .setBody(ByteString.copyFrom(envelopes("mallory@evil.test", "swapped"))).build().toByteArray());
        expect(Rejection.MALFORMED_REQUEST, 400, "not a signed request".getBytes(StandardCharsets.UTF_8));
        // signed for another operation than the path it is posted to
        expect(Rejection.MALFORMED_REQUEST, 400, evil.sign(evil.currentKey(), DESTINATION, "query", refusedBody, now).toByteArray());
        // a sender address of another domain than the signing one
        expect(Rejection.SENDER_NOT_OF_ORIGIN, 400, signed(envelopes("alice@a.test", "impersonated"), now).toByteArray());
        // a push for a call that another cluster holds
        expect(Rejection.SENDER_NOT_OF_ORIGIN, 400, signed(Transaction.newBuilder().addPdus(Pdu.newBuilder().setSequence(1)
                .setDevicePush(DevicePush.newBuilder().setAddress(bob.address).setPush(Push.newBuilder()
                        .setCallEnded(CallEnded.newBuilder().setCallId("AAAAAAAAAAAAAAAAAAAAAA@a.test"))))).build().toByteArray(), now)
                .toByteArray());
        // a query on behalf of an account of another domain
        byte[] lyingQuery = org.securecomm.protocol.federation.v1.Query.newBuilder().setGetPreKeyBundles(
                org.securecomm.protocol.federation.v1.GetPreKeyBundlesQuery.newBuilder().setRequester("alice@a.test")
                        .setRequest(org.securecomm.protocol.client.v1.GetPreKeyBundles.newBuilder().setAddress(bob.address))).build()
                .toByteArray();
        assertRejected(Rejection.SENDER_NOT_OF_ORIGIN, 400, evil.post(endpoint, "query",
                evil.sign(evil.currentKey(), DESTINATION, "query", lyingQuery, now).toByteArray()));
        expect(Rejection.TOO_LARGE, 413, signed(new byte[5 * 1024 * 1024], now).toByteArray());
        HostilePeer.Answer deniedAnswer = denied.post(endpoint, "transaction", denied.sign(denied.currentKey(), DESTINATION,
                "transaction", envelopes("mallory@denied.test", "denied"), now).toByteArray());
        assertRejected(Rejection.PEER_NOT_ALLOWED, 403, deniedAnswer);
        HostilePeer.Answer strangerAnswer = stranger.post(endpoint, "transaction", stranger.sign(stranger.currentKey(), DESTINATION,
                "transaction", envelopes("mallory@stranger.test", "not allowed"), now).toByteArray());
        assertRejected(Rejection.PEER_NOT_ALLOWED, 403, strangerAnswer);

        // The correct transaction is applied; its replay is refused.
        byte[] good = signed(envelopes("mallory@evil.test", "accepted"), Instant.now()).toByteArray();
        HostilePeer.Answer accepted = evil.post(endpoint, "transaction", good);
        assertEquals(200, accepted.status(), accepted.response().toString());
        assertEquals(1, accepted.response().getTransaction().getAppliedThrough());
        expect(Rejection.REPLAYED, 409, good);

        var envelope = bob.nextEnvelope(WAIT);
        assertEquals("mallory@evil.test", envelope.getSourceAddress());
        assertArrayEquals("accepted".getBytes(StandardCharsets.UTF_8), envelope.getContent().toByteArray());
        bob.acknowledge(envelope);
        assertThrows(AssertionError.class, () -> bob.nextEnvelope(Duration.ofSeconds(2)), "nothing else reached the mailbox");

        // Over its rate, an origin is refused with a retry hint; others are not affected.
        int limited = 0;
        for (int i = 0; i < 60; i++) {
            HostilePeer.Answer answer = flood.post(endpoint, "transaction", flood.sign(flood.currentKey(), DESTINATION,
                    "transaction", envelopes("mallory@flood.test", "flood"), Instant.now()).toByteArray());
            if (answer.status() == 429) {
                assertEquals(Rejection.RATE_LIMITED, answer.response().getError().getRejection());
                assertTrue(answer.response().getError().getRetryAfterSeconds() > 0);
                limited++;
            }
        }
        assertTrue(limited >= 20, "a burst of 30 then 1/s: at least 20 of 60 refused, got " + limited);
        // Every accepted flood transaction carried sequence 1 again (new transaction ids): a retry, applied once.
        var flooded = bob.nextEnvelope(WAIT);
        assertEquals("mallory@flood.test", flooded.getSourceAddress());
        bob.acknowledge(flooded);
        assertThrows(AssertionError.class, () -> bob.nextEnvelope(Duration.ofSeconds(2)), "sequence 1 of flood.test applied once");

        String metrics = metrics();
        for (String outcome : List.of("BAD_SIGNATURE", "UNKNOWN_KEY", "EXPIRED_KEY", "WRONG_DESTINATION", "CLOCK_SKEW", "MALFORMED_REQUEST",
                "SENDER_NOT_OF_ORIGIN", "TOO_LARGE", "PEER_NOT_ALLOWED", "REPLAYED", "RATE_LIMITED")) {
            assertTrue(metrics.contains("outcome=\"" + outcome + "\""), "a metric counts " + outcome);
        }
        assertFalse(metrics.contains("accepted") && metrics.contains("mallory"), "no payload or address in metrics");
    }

    @Test
    void theClientListenerServesTheSignedDescriptionToo() throws Exception {
        URI url = URI.create(clusters.cluster(DESTINATION).node().clientUrl().replace("ws://", "http://")
                .replace("/v1/websocket", "/.well-known/securecomm/server"));
        byte[] document = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(url).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        var description = org.securecomm.federation.ServerDescriptions.verify(document, DESTINATION, Instant.now());
        assertEquals(endpoint, description.endpoint());
    }

    private static void expect(Rejection rejection, int status, byte[] request) {
        assertRejected(rejection, status, evil.post(endpoint, "transaction", request));
    }

    private static void assertRejected(Rejection rejection, int status, HostilePeer.Answer answer) {
        assertEquals(rejection, answer.response().getError().getRejection(), answer.response().getError().getMessage());
        assertEquals(status, answer.status(), rejection + ": " + answer.response().getError().getMessage());
        assertFalse(answer.response().getError().getMessage().isBlank(), "a clear error for " + rejection);
    }

    private static SignedRequest signed(byte[] body, Instant timestamp) {
        return evil.sign(evil.currentKey(), DESTINATION, "transaction", body, timestamp);
    }

    private static byte[] flipLastBit(SignedRequest request) {
        byte[] signature = request.getSignature().toByteArray();
        signature[signature.length - 1] ^= 1;
        return request.toBuilder().setSignature(ByteString.copyFrom(signature)).build().toByteArray();
    }

    /** One envelope for bob's only device, as a one-PDU transaction. */
    private static byte[] envelopes(String from, String content) {
        return Transaction.newBuilder().addPdus(Pdu.newBuilder().setSequence(1).setEnvelopes(EnvelopeDelivery.newBuilder()
                .setSourceAddress(from).setSourceDevice(1).setDestination(bob.address)
                .addEnvelopes(RemoteEnvelope.newBuilder().setId(EnvelopeIds.toBytes(UUID.randomUUID()))
                        .setDeviceId(bob.deviceId).setType(EnvelopeType.OPAQUE)
                        .setContent(ByteString.copyFrom(content.getBytes(StandardCharsets.UTF_8)))))).build().toByteArray();
    }

    private static String metrics() throws Exception {
        URI url = URI.create(clusters.cluster(DESTINATION).node().clientUrl().replace("ws://", "http://").replace("/v1/websocket", "/metrics"));
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(url).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
