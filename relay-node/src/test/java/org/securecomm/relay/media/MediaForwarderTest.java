package org.securecomm.relay.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.securecomm.relay.media.MediaFlows.QUIET;
import static org.securecomm.relay.media.MediaFlows.WAIT;
import static org.securecomm.relay.media.MediaFlows.assertApart;
import static org.securecomm.relay.media.MediaFlows.assertEachReceivesExactlyTheOthers;
import static org.securecomm.relay.media.MediaFlows.payload;
import static org.securecomm.relay.media.MediaFlows.sendFromEach;
import static org.securecomm.relay.media.MediaFlows.waitFor;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.relay.support.MediaSocket;
import org.securecomm.relay.support.TestDevice;

/** The forwarder on real UDP sockets (loopback, random ports): fan-out, isolation, and every drop reason. */
class MediaForwarderTest {

    private MediaForwarder forwarder;
    private final List<MediaSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start() {
        forwarder = MediaForwarder.start(new MediaForwarder.Settings("127.0.0.1", 0, "", 1), MediaForwarder.Listener.NONE);
    }

    @AfterEach
    void stop() throws Exception {
        sockets.forEach(MediaSocket::close);
        forwarder.close();
        // Nothing left behind: the port is free again and the I/O threads are gone.
        new DatagramSocket(new InetSocketAddress("127.0.0.1", forwarder.port())).close();
        waitFor(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("securecomm-media")));
    }

    /** A device admitted into {@code roomId} whose address is latched (its keepalive was echoed). */
    private MediaSocket join(long roomId) {
        return latched(forwarder.admit(roomId));
    }

    private MediaSocket latched(MediaAdmission.Route route) {
        MediaSocket socket = socket(route);
        assertTrue(socket.keepaliveEchoed(WAIT), "keepalive echoed");
        return socket;
    }

    private MediaSocket socket(MediaAdmission.Route route) {
        MediaSocket socket = new MediaSocket(route.host(), route.port(), route.roomId(), route.token());
        sockets.add(socket);
        return socket;
    }

    @Test
    void fourParticipantsReceiveEveryoneElsesPacketsExactlyAndNothingOfTheirOwn() {
        long room = forwarder.openRoom();
        List<MediaSocket> devices = List.of(join(room), join(room), join(room), join(room));
        assertEachReceivesExactlyTheOthers(devices, sendFromEach(devices, 10, 160));
        MediaAdmission.Route any = forwarder.admit(room); // a fifth, never latched: counts nothing
        assertEquals(new ParticipantStats(0, 0, 0, 0, 0), forwarder.stats(room, any.token()));
        assertEquals(5, forwarder.participants());
        assertEquals(1, forwarder.rooms());
    }

    @Test
    void countersPerParticipant() {
        long room = forwarder.openRoom();
        MediaAdmission.Route aliceRoute = forwarder.admit(room);
        MediaSocket alice = latched(aliceRoute);
        MediaSocket bob = join(room);
        alice.sendMedia(payload(1, 1, 100));
        assertNotNull(bob.receiveMedia(WAIT));
        byte[] replay = alice.sendMedia(payload(1, 2, 100));
        assertNotNull(bob.receiveMedia(WAIT));
        alice.sendRaw(replay);
        bob.sendMedia(payload(2, 1, 50));
        assertNotNull(alice.receiveMedia(WAIT));
        // alice: in = keepalive (21) + 2 media (121 each); out = echo (5) + bob's media (1 + 50); 1 replay dropped.
        assertEquals(new ParticipantStats(3, 21 + 2 * 121, 2, 5 + 51, 1), forwarder.stats(room, aliceRoute.token()));
    }

    @Test
    void roomsAreIsolated() {
        long roomA = forwarder.openRoom();
        long roomB = forwarder.openRoom();
        MediaSocket a1 = join(roomA);
        MediaSocket a2 = join(roomA);
        MediaSocket b1 = join(roomB);
        MediaSocket b2 = join(roomB);
        assertApart(a1, a2, b1, b2);
    }

    @Test
    void badDatagramsAreDroppedCountedAndTheCallGoesOn() {
        long roomA = forwarder.openRoom();
        long roomB = forwarder.openRoom();
        MediaSocket alice = join(roomA);
        MediaSocket bob = join(roomA);
        MediaAdmission.Route carol = forwarder.admit(roomB);
        MediaSocket mallory = socket(new MediaAdmission.Route("127.0.0.1", forwarder.port(), roomA, 42));

        byte[] valid = MediaDatagrams.toForwarder(roomA, 1, 1, payload(9, 1, 40));
        byte[] randomBytes = TestDevice.randomBytes(60);
        randomBytes[0] = 0x55;
        byte[] unknownType = valid.clone();
        unknownType[0] = 0x09;
        byte[] forwardedType = valid.clone();
        forwardedType[0] = MediaDatagrams.FORWARDED_MEDIA;
        byte[] oversized = MediaDatagrams.toForwarder(roomA, 1, 1, payload(9, 1, MediaDatagrams.MAX_PAYLOAD));
        oversized = Arrays.copyOf(oversized, MediaDatagrams.MAX_DATAGRAM + 1);
        byte[] longKeepalive = Arrays.copyOf(MediaDatagrams.toForwarder(roomA, 1, 1, null), MediaDatagrams.CLIENT_HEADER + 4);
        byte[] mediaWithoutPayloadHeader = MediaDatagrams.toForwarder(roomA, 1, 1, new byte[3]);

        for (byte[] bad : List.of(randomBytes, Arrays.copyOf(valid, 10), Arrays.copyOf(valid, MediaDatagrams.CLIENT_HEADER - 1),
                new byte[0], unknownType, forwardedType, oversized, longKeepalive, mediaWithoutPayloadHeader)) {
            assertDroppedAndCallGoesOn(DropReason.MALFORMED, () -> mallory.sendRaw(bad), alice, bob);
        }
        assertDroppedAndCallGoesOn(DropReason.UNKNOWN_ROOM,
                () -> mallory.sendRaw(MediaDatagrams.toForwarder(roomA ^ 1, carol.token(), 1, payload(9, 1, 40))), alice, bob);
        // A valid token of room B, with room A's id.
        assertDroppedAndCallGoesOn(DropReason.NOT_ADMITTED,
                () -> mallory.sendRaw(MediaDatagrams.toForwarder(roomA, carol.token(), 1, payload(9, 1, 40))), alice, bob);
        // A made-up token.
        assertDroppedAndCallGoesOn(DropReason.NOT_ADMITTED, () -> mallory.sendMedia(payload(9, 1, 40)), alice, bob);

        // Revoked: dave was in the call and latched, then left.
        MediaAdmission.Route daveRoute = forwarder.admit(roomA);
        MediaSocket dave = latched(daveRoute);
        forwarder.revoke(roomA, daveRoute.token());
        assertNull(forwarder.stats(roomA, daveRoute.token()));
        assertDroppedAndCallGoesOn(DropReason.NOT_ADMITTED, () -> dave.sendMedia(payload(4, 1, 40)), alice, bob);
        assertNull(dave.receive(QUIET), "a revoked participant gets nothing more");

        // Replayed (by the sender's address and by another one), and too old for the window.
        byte[] replayed = alice.sendMedia(payload(1, 100, 40));
        assertNotNull(bob.receiveMedia(WAIT));
        assertDroppedAndCallGoesOn(DropReason.REPLAYED, () -> alice.sendRaw(replayed), alice, bob);
        assertDroppedAndCallGoesOn(DropReason.REPLAYED, () -> mallory.sendRaw(replayed), alice, bob);
        for (int i = 0; i < ReplayWindow.SIZE + 5; i++) {
            alice.sendMedia(payload(1, 200 + i, 40));
            assertNotNull(bob.receiveMedia(WAIT));
        }
        assertDroppedAndCallGoesOn(DropReason.REPLAYED, () -> alice.sendRaw(replayed), alice, bob);
        // The replay from mallory's address latched nothing: bob's media still reaches alice.
        byte[] toAlice = payload(2, 1, 40);
        bob.sendMedia(toAlice);
        assertArrayEquals(toAlice, alice.receiveMedia(WAIT));
        assertNull(mallory.receive(QUIET), "nothing ever reaches a sender that was never admitted");
        assertNull(dave.receive(QUIET));
    }

    /** Sends one bad datagram, checks it was counted under {@code reason}, and that alice still reaches bob. */
    private void assertDroppedAndCallGoesOn(DropReason reason, Runnable bad, MediaSocket alice, MediaSocket bob) {
        long before = forwarder.dropped(reason);
        bad.run();
        // One I/O thread handles datagrams in arrival order: once alice's next packet is through, the bad one was handled.
        byte[] good = payload(1, 0, 64);
        alice.sendMedia(good);
        assertArrayEquals(good, bob.receiveMedia(WAIT), "delivery continues after a " + reason + " datagram");
        assertEquals(before + 1, forwarder.dropped(reason), reason + " counted");
    }

    @Test
    void aFresherPacketFromANewAddressRelatches() {
        long room = forwarder.openRoom();
        MediaAdmission.Route aliceRoute = forwarder.admit(room);
        MediaSocket alice = latched(aliceRoute);
        MediaSocket bob = join(room);
        // alice's NAT rebinds: same route, new socket, hop sequence numbers go on.
        MediaSocket aliceRebound = socket(aliceRoute);
        aliceRebound.sendRaw(MediaDatagrams.toForwarder(room, aliceRoute.token(), 50, null));
        byte[] echo = aliceRebound.receive(WAIT);
        assertNotNull(echo);
        assertEquals(MediaDatagrams.KEEPALIVE_ECHO, echo[0]);
        assertEquals(50, ByteBuffer.wrap(echo, 1, 4).getInt());
        byte[] toAlice = payload(2, 1, 40);
        bob.sendMedia(toAlice);
        assertArrayEquals(toAlice, aliceRebound.receiveMedia(WAIT));
        assertNull(alice.receive(QUIET));
    }

    @Test
    void closingTheRoomStopsItAndTheTapSeesWhatCrosses() throws InterruptedException {
        List<String> tapped = new CopyOnWriteArrayList<>();
        forwarder.tap(new PacketTap() {
            @Override
            public void received(InetSocketAddress from, byte[] datagram) {
                tapped.add("in " + datagram[0] + " " + datagram.length);
            }

            @Override
            public void sent(InetSocketAddress to, byte[] datagram) {
                tapped.add("out " + datagram[0] + " " + datagram.length);
            }
        });
        long room = forwarder.openRoom();
        MediaSocket alice = join(room);
        MediaSocket bob = join(room);
        alice.sendMedia(payload(1, 1, 100));
        assertNotNull(bob.receiveMedia(WAIT));
        waitFor(() -> tapped.size() == 6);
        assertEquals(List.of("in 3 21", "out 4 5", "in 3 21", "out 4 5", "in 1 121", "out 2 101"), tapped);

        forwarder.closeRoom(room);
        assertEquals(0, forwarder.rooms());
        assertNull(forwarder.admit(room));
        long before = forwarder.dropped(DropReason.UNKNOWN_ROOM);
        alice.sendMedia(payload(1, 2, 100));
        assertNull(bob.receive(QUIET));
        waitFor(() -> forwarder.dropped(DropReason.UNKNOWN_ROOM) == before + 1);
    }
}
