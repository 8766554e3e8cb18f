package org.securecomm.relay.federation.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.FederationClient;
import org.securecomm.federation.PeerDescription;
import org.securecomm.federation.ServerKeyPair;
import org.securecomm.federation.Tls;
import org.securecomm.federation.testing.StaticKeySource;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.federation.testing.TestHttpsServer;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.federation.v1.CallLinked;
import org.securecomm.protocol.federation.v1.FederationResponse;
import org.securecomm.protocol.federation.v1.QueryResult;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.federation.RemoteRouting;
import org.securecomm.relay.gateway.MediaRoutes;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.media.MediaForwarder;

/**
 * The leg of a call held by another cluster, against a real forwarder for that cluster's room and
 * a stand-in of its federation endpoint that answers every call action with the cascade route:
 * joining links the leg to the room's forwarder, which answers the link's keepalives; when that
 * forwarder stops answering (the room revoked the token: the last device here vanished) the leg
 * closes after the silent-link time, and a leave closes it at once even when the other cluster
 * cannot be reached.
 */
class ForeignCallLegsTest {

    // Keepalives (and their echoes) come every second: 4 s of silence is a stopped link, not a slow one.
    private static final Duration SILENT = Duration.ofSeconds(4);
    private static final String CALL = "AAAAAAAAAAAAAAAAAAAAAA@a.test";

    private MediaForwarder owner;
    private MediaForwarder home;
    private TestHttpsServer endpoint;
    private MediaAdmission.Route cascade;
    private ForeignCallLegs legs;

    @BeforeEach
    void start() {
        MediaForwarder.Settings settings = new MediaForwarder.Settings("127.0.0.1", 0, "", 1);
        owner = MediaForwarder.start(settings, MediaForwarder.Listener.NONE);
        home = MediaForwarder.start(settings, MediaForwarder.Listener.NONE);
        cascade = owner.admit(owner.openRoom());
        TestCertificateAuthority ca = TestCertificateAuthority.create();
        endpoint = new TestHttpsServer(ca.issue("a.test", "127.0.0.1")).handle("/federation/v1/query", exchange -> {
            exchange.getRequestBody().readAllBytes();
            QueryResult linked = QueryResult.newBuilder().setCallLinked(CallLinked.newBuilder()
                    .setCascade(MediaRoutes.route(cascade))).build();
            TestHttpsServer.respond(exchange, 200, FederationClient.CONTENT_TYPE,
                    FederationResponse.newBuilder().setQuery(linked).build().toByteArray());
        });
        Instant now = Instant.now();
        ServerKeyPair key = ServerKeyPair.generate("ed25519:b", now.minusSeconds(60), now.plus(Duration.ofDays(1)));
        PeerDescription a = new PeerDescription("a.test", URI.create(endpoint.baseUri() + "/federation"), List.of(),
                now.plus(Duration.ofHours(1)));
        FederationClient client = new FederationClient("b.test", () -> key, StaticKeySource.of(a),
                Tls.httpClient(ca.trustingContext(), Duration.ofSeconds(5)).build(), Clock.systemUTC(), Duration.ofSeconds(5), 1 << 20);
        legs = new ForeignCallLegs(new RemoteRouting(null, client, Duration.ZERO), home, ForkJoinPool.commonPool(), Clock.systemUTC(),
                SILENT);
    }

    @AfterEach
    void stop() {
        home.close();
        owner.close();
        endpoint.close();
    }

    @Test
    void aLegWhoseLinkFallsSilentCloses() throws Exception {
        CallRoom.Accepted joined = legs.join(device(1), CALL, "a.test", false).toCompletableFuture().join();
        assertNotNull(joined.media(), "the device's route is at its home forwarder");
        assertEquals(home.port(), joined.media().port());
        assertEquals(1, home.links());

        // The room's forwarder answers the link's keepalives: the leg stays.
        Thread.sleep(SILENT.toMillis() + 1_500);
        legs.closeSilentLegs();
        assertEquals(1, legs.openLegs());
        assertNotNull(home.cascadeLinks().get(0));

        // The room revokes the cascade token: no more echoes, and after the silent time the leg goes.
        owner.revoke(cascade.roomId(), cascade.token());
        Thread.sleep(SILENT.toMillis() + 1_500);
        legs.closeSilentLegs();
        assertEquals(0, legs.openLegs());
        assertEquals(0, home.links());
        assertEquals(0, home.rooms());
    }

    @Test
    void leavingClosesTheLegEvenWhenTheOtherClusterIsGone() {
        legs.join(device(1), CALL, "a.test", false).toCompletableFuture().join();
        endpoint.close();
        var leave = legs.act(device(1), CALL, "a.test", org.securecomm.protocol.federation.v1.CallAction.newBuilder()
                .setLeave(org.securecomm.protocol.federation.v1.CallLeave.getDefaultInstance())).toCompletableFuture();
        assertTrue(leave.handle((ok, failure) -> failure != null).join(), "the other cluster did not answer");
        assertEquals(0, legs.openLegs());
        assertEquals(0, home.rooms());
    }

    private static AuthenticatedDevice device(int id) {
        return new AuthenticatedDevice("account-" + id, id, Address.parse("bob@b.test"));
    }
}
