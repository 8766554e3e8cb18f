package org.securecomm.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.AnswerCall;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.EndCall;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.GetTurnCredentials;
import org.securecomm.protocol.client.v1.JoinCall;
import org.securecomm.protocol.client.v1.LeaveCall;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.StartCall;
import org.securecomm.protocol.client.v1.TurnCredentials;
import org.securecomm.relay.media.DropReason;
import org.securecomm.relay.media.MediaForwarder;
import org.securecomm.relay.media.PacketTap;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.MediaSocket;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** Call media end to end: routes over the WebSocket, datagrams over real UDP to the node's forwarder, TURN credentials. */
class CallMediaTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final CapturingCodeSender codes = new CapturingCodeSender();
    private static RelayNode node;

    @BeforeAll
    static void start() {
        node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), codes, Map.of(
                "securecomm.turn.urls", List.of("turn:turn.relay.test:3478?transport=udp"),
                "securecomm.turn.secret", "test-secret",
                "securecomm.turn.ttl", "10m"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static TestDevice register(String name) {
        String suffix = Long.toString(System.nanoTime(), 36);
        return TestDevice.register(node.clientUrl(), codes, name + "-" + suffix + "@example.org", name + suffix);
    }

    private static Push await(TestDevice device, java.util.function.Predicate<Push> wanted) throws InterruptedException {
        return device.await(wanted, WAIT);
    }

    private static MediaSocket socket(MediaRoute route) {
        return new MediaSocket(route.getHost(), route.getPort(), MediaDatagrams.idOf(route.getRoomId().toByteArray()),
                MediaDatagrams.idOf(route.getToken().toByteArray()));
    }

    private static MediaRoute join(TestDevice device, String callId) {
        return device.call(ClientMessage.newBuilder().setJoinCall(JoinCall.newBuilder().setCallId(callId))).getCallJoined().getMedia();
    }

    private static byte[] media(int sourceId, int seq) {
        byte[] payload = TestDevice.randomBytes(120);
        System.arraycopy(MediaDatagrams.payloadHeader(sourceId, MediaDatagrams.KIND_AUDIO, seq), 0, payload, 0, MediaDatagrams.PAYLOAD_HEADER);
        return payload;
    }

    @Test
    void routesComeWithStartAnswerAndJoinAndALeftTokenStopsWorking() throws Exception {
        MediaForwarder forwarder = TestRelays.forwarder(node);
        List<byte[]> crossed = new CopyOnWriteArrayList<>();
        forwarder.tap(new PacketTap() {
            @Override
            public void received(InetSocketAddress from, byte[] datagram) {
                crossed.add(datagram);
            }

            @Override
            public void sent(InetSocketAddress to, byte[] datagram) {
                crossed.add(datagram);
            }
        });
        TestDevice alice = register("alma");
        TestDevice bob = register("boris");
        var started = alice.call(ClientMessage.newBuilder().setStartCall(StartCall.newBuilder().addCallees(bob.address))).getCallStarted();
        MediaRoute aliceRoute = started.getMedia();
        assertEquals("127.0.0.1", aliceRoute.getHost());
        assertEquals(forwarder.port(), aliceRoute.getPort());
        assertEquals(8, aliceRoute.getRoomId().size());
        assertEquals(8, aliceRoute.getToken().size());
        await(bob, Push::hasIncomingCall);
        MediaRoute bobRoute = bob.call(ClientMessage.newBuilder().setAnswerCall(AnswerCall.newBuilder().setCallId(started.getCallId())))
                .getCallJoined().getMedia();
        assertEquals(aliceRoute.getRoomId(), bobRoute.getRoomId());
        assertNotEquals(aliceRoute.getToken(), bobRoute.getToken());

        try (MediaSocket aliceMedia = socket(aliceRoute); MediaSocket bobMedia = socket(bobRoute)) {
            assertTrue(aliceMedia.keepaliveEchoed(WAIT));
            assertTrue(bobMedia.keepaliveEchoed(WAIT));
            byte[] hello = media(1, 1);
            aliceMedia.sendMedia(hello);
            assertArrayEquals(hello, bobMedia.receiveMedia(WAIT));

            // A rejoin while in the call: a new token, the old one is refused at once.
            MediaRoute rejoined = join(bob, started.getCallId());
            assertEquals(bobRoute.getRoomId(), rejoined.getRoomId());
            assertNotEquals(bobRoute.getToken(), rejoined.getToken());
            long notAdmitted = forwarder.dropped(DropReason.NOT_ADMITTED);
            bobMedia.sendMedia(media(2, 1));
            assertNull(aliceMedia.receive(QUIET), "the token of the previous join is revoked");
            assertEquals(notAdmitted + 1, forwarder.dropped(DropReason.NOT_ADMITTED));
            bobMedia.route(MediaDatagrams.idOf(rejoined.getRoomId().toByteArray()), MediaDatagrams.idOf(rejoined.getToken().toByteArray()));
            byte[] again = media(2, 2);
            bobMedia.sendMedia(again);
            assertArrayEquals(again, aliceMedia.receiveMedia(WAIT));

            // Leave: the token stops working; alice's media no longer reaches bob.
            bob.call(ClientMessage.newBuilder().setLeaveCall(LeaveCall.newBuilder().setCallId(started.getCallId())));
            await(alice, p -> p.hasCallParticipants() && p.getCallParticipants().getParticipantsCount() == 1);
            bobMedia.sendMedia(media(2, 3));
            assertNull(aliceMedia.receive(QUIET));
            assertEquals(notAdmitted + 2, forwarder.dropped(DropReason.NOT_ADMITTED));
            aliceMedia.sendMedia(media(1, 2));
            assertNull(bobMedia.receive(QUIET));

            // Joining again gives a route that works again.
            MediaRoute back = join(bob, started.getCallId());
            bobMedia.route(MediaDatagrams.idOf(back.getRoomId().toByteArray()), MediaDatagrams.idOf(back.getToken().toByteArray()));
            assertTrue(bobMedia.keepaliveEchoed(WAIT));
            byte[] welcome = media(1, 3);
            aliceMedia.sendMedia(welcome);
            assertArrayEquals(welcome, bobMedia.receiveMedia(WAIT));

            alice.call(ClientMessage.newBuilder().setEndCall(EndCall.newBuilder().setCallId(started.getCallId())));
            await(bob, Push::hasCallEnded);
            long unknownRoom = forwarder.dropped(DropReason.UNKNOWN_ROOM);
            aliceMedia.sendMedia(media(1, 4));
            assertNull(bobMedia.receive(QUIET), "the call ended: its room is closed");
            assertEquals(unknownRoom + 1, forwarder.dropped(DropReason.UNKNOWN_ROOM));
        } finally {
            forwarder.tap(null);
            alice.close();
            bob.close();
        }
        // What the forwarder sent never carries a room id or token: forwarded media is 0x02 | payload, echoes 0x04 | seq.
        byte[] room = aliceRoute.getRoomId().toByteArray();
        assertFalse(crossed.isEmpty());
        crossed.stream().filter(d -> d[0] == MediaDatagrams.FORWARDED_MEDIA || d[0] == MediaDatagrams.KEEPALIVE_ECHO)
                .forEach(d -> assertFalse(contains(d, room), "no room id in what leaves the forwarder"));
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void turnCredentialsForAuthenticatedDevicesOnly() {
        TestDevice carol = register("carla");
        TurnCredentials credentials = carol.call(ClientMessage.newBuilder().setGetTurnCredentials(GetTurnCredentials.getDefaultInstance()))
                .getTurnCredentials();
        assertEquals(List.of("turn:turn.relay.test:3478?transport=udp"), credentials.getUrlsList());
        assertEquals(600, credentials.getTtlSeconds());
        assertTrue(credentials.getUsername().matches("\\d{10}:[A-Za-z0-9_-]{16}"), credentials.getUsername());
        long expiry = Long.parseLong(credentials.getUsername().split(":")[0]);
        assertTrue(Math.abs(expiry - (System.currentTimeMillis() / 1000 + 600)) < 60);
        assertFalse(credentials.getUsername().contains(carol.accountId));
        assertEquals(28, credentials.getPassword().length()); // base64 of 20 bytes (HMAC-SHA1)
        carol.close();

        try (RelayConnection anonymous = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
            assertEquals(ErrorCode.NOT_AUTHENTICATED, anonymous.request(ClientMessage.newBuilder()
                    .setGetTurnCredentials(GetTurnCredentials.getDefaultInstance())).join().getError().getCode());
        }
    }
}
