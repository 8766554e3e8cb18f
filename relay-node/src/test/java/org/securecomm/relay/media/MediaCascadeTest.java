package org.securecomm.relay.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.securecomm.relay.media.MediaFlows.QUIET;
import static org.securecomm.relay.media.MediaFlows.WAIT;
import static org.securecomm.relay.media.MediaFlows.assertApart;
import static org.securecomm.relay.media.MediaFlows.assertEachReceivesExactlyTheOthers;
import static org.securecomm.relay.media.MediaFlows.sendFromEach;
import static org.securecomm.relay.media.MediaFlows.waitFor;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.relay.support.MediaSocket;

/**
 * Cascade links between forwarders on real UDP sockets (loopback): forwarder A holds the call's
 * room, B (and C) link their rooms to it as one participant each; media crosses exactly once each
 * way, never loops, and only the linked remote can feed a link's socket.
 */
class MediaCascadeTest {

    // Exact counts need a known number of keepalives: only the one sent when the link opens.
    private static final Duration NO_REPEAT = Duration.ofHours(1);
    private static final String LOOPBACK = "127.0.0.1";
    private static final int PAYLOAD = 160;

    private final List<MediaForwarder> forwarders = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final List<MediaSocket> sockets = new ArrayList<>();
    private final List<DatagramSocket> fakes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        sockets.forEach(MediaSocket::close);
        fakes.forEach(DatagramSocket::close);
        forwarders.forEach(MediaForwarder::close);
        // Nothing left behind: every forwarder and link port is free again, and the I/O threads are gone.
        for (int port : ports) {
            waitFor(() -> isFree(port));
        }
        waitFor(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("securecomm-media")));
    }

    // ------------------------------------------------------------------ the flows

    @Test
    void mediaCrossesTheLinkBothWaysExactlyOnceAndTheTapSeesIt() throws InterruptedException {
        MediaForwarder a = forwarder(NO_REPEAT);
        MediaForwarder b = forwarder(NO_REPEAT);
        List<String> tapped = new CopyOnWriteArrayList<>();
        b.tap(tapOf(tapped, a.port()));
        long roomA = a.openRoom();
        MediaAdmission.Route cascade = a.admit(roomA);
        MediaSocket a1 = join(a, roomA);
        MediaSocket a2 = join(a, roomA);
        long roomB = b.openRoom();
        MediaSocket b1 = join(b, roomB);
        MediaSocket b2 = join(b, roomB);
        MediaAdmission.Link link = link(b, roomB, a, cascade);
        assertEquals(new MediaAdmission.Link(roomB, LOOPBACK, a.port(), roomA, cascade.token(), link.localPort()), link);
        assertEquals(1, b.links());
        assertEquals(0, a.links());

        List<MediaSocket> devices = List.of(a1, a2, b1, b2);
        List<Set<String>> sent = sendFromEach(devices, 5, PAYLOAD);
        assertEachReceivesExactlyTheOthers(devices, sent);

        // Up: b1's and b2's 10 payloads as client MEDIA; down: a1's and a2's 10 as forwarded MEDIA; one keepalive and its echo.
        int up = MediaDatagrams.CLIENT_HEADER + PAYLOAD;
        int down = 1 + PAYLOAD;
        LinkStats stats = b.linkStats(roomB, LOOPBACK, a.port());
        assertEquals(new LinkStats(10, 10L * up, 10, 10L * down, 1, 1, stats.lastEcho(), 0), stats);
        assertNotNull(stats.lastEcho());
        // At A the link is one participant: in = keepalive + 10 up, out = echo + 10 of A's devices' media.
        assertEquals(new ParticipantStats(11, MediaDatagrams.CLIENT_HEADER + 10L * up, 11, 5 + 10L * down, 0),
                a.stats(roomA, cascade.token()));
        // B's tap saw every datagram between B's link and A, with the link's datagrams counted like any other.
        waitFor(() -> tapped.size() == 22);
        assertEquals(1, tapped.stream().filter(("out 3 " + MediaDatagrams.CLIENT_HEADER)::equals).count());
        assertEquals(1, tapped.stream().filter("in 4 5"::equals).count());
        assertEquals(10, tapped.stream().filter(("out 1 " + up)::equals).count());
        assertEquals(10, tapped.stream().filter(("in 2 " + down)::equals).count());
        for (DropReason reason : DropReason.values()) {
            assertEquals(0, a.dropped(reason), "A dropped nothing: " + reason);
            assertEquals(0, b.dropped(reason), "B dropped nothing: " + reason);
        }
    }

    @Test
    void threeClustersMeetAtTheRoomsHomeAndNothingLoops() {
        MediaForwarder a = forwarder(NO_REPEAT);
        MediaForwarder b = forwarder(NO_REPEAT);
        MediaForwarder c = forwarder(NO_REPEAT);
        long roomA = a.openRoom();
        MediaAdmission.Route forB = a.admit(roomA);
        MediaAdmission.Route forC = a.admit(roomA);
        MediaSocket a1 = join(a, roomA);
        long roomB = b.openRoom();
        MediaSocket b1 = join(b, roomB);
        MediaSocket b2 = join(b, roomB);
        long roomC = c.openRoom();
        MediaSocket c1 = join(c, roomC);
        link(b, roomB, a, forB);
        link(c, roomC, a, forC);

        List<MediaSocket> devices = List.of(a1, b1, b2, c1);
        List<Set<String>> sent = sendFromEach(devices, 4, PAYLOAD);
        assertEachReceivesExactlyTheOthers(devices, sent);
        // B sends up its own 8 and gets a1's and c1's 8; C sends 4 and gets the 12 of a1, b1 and b2.
        LinkStats bStats = b.linkStats(roomB, LOOPBACK, a.port());
        LinkStats cStats = c.linkStats(roomC, LOOPBACK, a.port());
        assertEquals(List.of(8L, 8L), List.of(bStats.packetsUp(), bStats.packetsDown()));
        assertEquals(List.of(4L, 12L), List.of(cStats.packetsUp(), cStats.packetsDown()));
    }

    // ------------------------------------------------------------------ the link's socket

    @Test
    void onlyTheLinkedRemoteFeedsTheLinkAndWhatComesDownNeverGoesBackUp() throws Exception {
        MediaForwarder b = forwarder(NO_REPEAT);
        long roomB = b.openRoom();
        MediaSocket b1 = join(b, roomB);
        MediaSocket b2 = join(b, roomB);
        DatagramSocket remote = fake();
        MediaAdmission.Link link = b.linkCascade(roomB, LOOPBACK, remote.getLocalPort(), 77, 88);
        ports.add(link.localPort());
        InetSocketAddress linkAddress = new InetSocketAddress(LOOPBACK, link.localPort());

        // Exactly the client format, with the remote room id and token, and the link's own hop sequence.
        assertArrayEquals(MediaDatagrams.toForwarder(77, 88, 1, null), receive(remote));
        send(remote, new byte[] {MediaDatagrams.KEEPALIVE_ECHO, 0, 0, 0, 1}, linkAddress);
        waitFor(() -> b.linkStats(roomB, LOOPBACK, remote.getLocalPort()).echoes() == 1);
        byte[] fromB1 = payload(1, 1);
        b1.sendMedia(fromB1);
        assertArrayEquals(fromB1, b2.receiveMedia(WAIT));
        assertArrayEquals(MediaDatagrams.toForwarder(77, 88, 2, fromB1), receive(remote));
        b1.sendKeepalive();
        assertNotNull(b1.receive(WAIT), "b1's echo");

        byte[] fromRemote = payload(9, 1);
        byte[] forwarded = MediaDatagrams.forwarded(fromRemote);
        send(remote, forwarded, linkAddress);
        assertArrayEquals(fromRemote, b1.receiveMedia(WAIT));
        assertArrayEquals(fromRemote, b2.receiveMedia(WAIT));
        assertNull(receiveOrNull(remote), "no loop, and b1's keepalive is not the link's business");

        // Another address: a replay of what the remote sent, and a forgery.
        DatagramSocket mallory = fake();
        send(mallory, forwarded, linkAddress);
        send(mallory, MediaDatagrams.forwarded(payload(6, 6)), linkAddress);
        // The remote itself, malformed: a client type, a forwarded datagram without the payload header, an empty one.
        send(remote, MediaDatagrams.toForwarder(77, 88, 5, payload(6, 7)), linkAddress);
        send(remote, new byte[] {MediaDatagrams.FORWARDED_MEDIA, 1, 2}, linkAddress);
        send(remote, new byte[0], linkAddress);
        waitFor(() -> b.linkStats(roomB, LOOPBACK, remote.getLocalPort()).dropped() == 5);
        assertEquals(2, b.dropped(DropReason.NOT_LINKED));
        assertEquals(3, b.dropped(DropReason.MALFORMED));
        assertNull(b1.receive(QUIET), "nothing dropped reaches a participant");
        assertNull(b2.receive(QUIET));
        assertNull(receiveOrNull(mallory), "nothing answers a stranger");
        LinkStats stats = b.linkStats(roomB, LOOPBACK, remote.getLocalPort());
        assertEquals(new LinkStats(1, MediaDatagrams.CLIENT_HEADER + PAYLOAD, 1, 1 + PAYLOAD, 1, 1, stats.lastEcho(), 5), stats);
    }

    @Test
    void keepalivesRepeatWithIncreasingHopSequenceNumbers() throws Exception {
        MediaForwarder b = forwarder(Duration.ofMillis(50));
        long roomB = b.openRoom();
        DatagramSocket remote = fake();
        ports.add(b.linkCascade(roomB, LOOPBACK, remote.getLocalPort(), 5, 6).localPort());
        for (int hopSeq = 1; hopSeq <= 3; hopSeq++) {
            assertArrayEquals(MediaDatagrams.toForwarder(5, 6, hopSeq, null), receive(remote));
        }
        assertNull(b.linkStats(roomB, LOOPBACK, remote.getLocalPort()).lastEcho(), "no echo yet: the remote never answered");
        assertTrue(b.linkStats(roomB, LOOPBACK, remote.getLocalPort()).keepalivesSent() >= 3);
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void unlinkRelinkAndClosingTheRoomStopTheFlow() throws InterruptedException {
        MediaForwarder a = forwarder(NO_REPEAT);
        MediaForwarder b = forwarder(NO_REPEAT);
        long roomA = a.openRoom();
        MediaSocket a1 = join(a, roomA);
        MediaSocket a2 = join(a, roomA);
        long roomB = b.openRoom();
        MediaSocket b1 = join(b, roomB);
        MediaSocket b2 = join(b, roomB);
        MediaAdmission.Link first = link(b, roomB, a, a.admit(roomA));
        assertCrosses(a1, a2, b1, b2);

        b.unlinkCascade(roomB, LOOPBACK, a.port());
        assertEquals(0, b.links());
        assertNull(b.linkStats(roomB, LOOPBACK, a.port()));
        waitFor(() -> isFree(first.localPort()));
        // Without the link each forwarder's room is on its own.
        assertApart(a1, a2, b1, b2);
        b.unlinkCascade(roomB, LOOPBACK, a.port()); // unknown link: ignored
        b.unlinkCascade(roomB ^ 1, LOOPBACK, a.port()); // unknown room: ignored

        // A rejoin at A gives a new token (a link's hop sequence numbers start again at 1).
        MediaAdmission.Link second = link(b, roomB, a, a.admit(roomA));
        assertCrosses(a1, a2, b1, b2);
        // Linking the same remote again replaces the link.
        MediaAdmission.Link third = link(b, roomB, a, a.admit(roomA));
        assertEquals(1, b.links());
        waitFor(() -> isFree(second.localPort()));
        assertCrosses(a1, a2, b1, b2);

        b.closeRoom(roomB);
        assertEquals(0, b.links());
        waitFor(() -> isFree(third.localPort()));
        byte[] fromA1 = payload(1, 99);
        a1.sendMedia(fromA1);
        assertArrayEquals(fromA1, a2.receiveMedia(WAIT));
        assertNull(b1.receive(QUIET));
        assertNull(b2.receive(QUIET));

        assertNull(b.linkCascade(roomB, LOOPBACK, a.port(), roomA, 1), "a closed room links nothing");
        assertThrows(IllegalArgumentException.class, () -> b.linkCascade(b.openRoom(), "no-such-host.invalid", 1, 1, 1));
    }

    @Test
    void closingTheForwarderClosesItsLinks() throws InterruptedException {
        MediaForwarder a = forwarder(NO_REPEAT);
        MediaForwarder b = forwarder(NO_REPEAT);
        long roomA = a.openRoom();
        MediaSocket a1 = join(a, roomA);
        long roomB = b.openRoom();
        MediaSocket b1 = join(b, roomB);
        MediaAdmission.Link link = link(b, roomB, a, a.admit(roomA));
        b.close();
        waitFor(() -> isFree(link.localPort()));
        a1.sendMedia(payload(1, 1));
        assertNull(b1.receive(QUIET));
        assertNull(b.linkCascade(roomB, LOOPBACK, a.port(), roomA, 1), "a closed forwarder links nothing");
    }

    // ------------------------------------------------------------------ helpers

    private MediaForwarder forwarder(Duration keepalive) {
        MediaForwarder forwarder = MediaForwarder.start(new MediaForwarder.Settings(LOOPBACK, 0, "", 1, keepalive),
                MediaForwarder.Listener.NONE);
        forwarders.add(forwarder);
        ports.add(forwarder.port());
        return forwarder;
    }

    /** A device admitted into {@code roomId} at {@code forwarder} whose address is latched. */
    private MediaSocket join(MediaForwarder forwarder, long roomId) {
        MediaAdmission.Route route = forwarder.admit(roomId);
        MediaSocket socket = new MediaSocket(route.host(), route.port(), route.roomId(), route.token());
        sockets.add(socket);
        assertTrue(socket.keepaliveEchoed(WAIT), "keepalive echoed");
        return socket;
    }

    /** Links {@code roomId} of {@code from} to the room of {@code route} at {@code to}; returns once the remote echoed. */
    private MediaAdmission.Link link(MediaForwarder from, long roomId, MediaForwarder to, MediaAdmission.Route route) {
        MediaAdmission.Link link = from.linkCascade(roomId, LOOPBACK, to.port(), route.roomId(), route.token());
        assertNotNull(link);
        ports.add(link.localPort());
        try {
            // The echo of the link's first keepalive: the remote latched the link's address.
            waitFor(() -> from.linkStats(roomId, LOOPBACK, to.port()).echoes() == 1);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return link;
    }

    /** A payload of {@code a1} reaches every other device (B's through the link), one of {@code b1} likewise. */
    private static void assertCrosses(MediaSocket a1, MediaSocket a2, MediaSocket b1, MediaSocket b2) {
        byte[] down = payload(1, 7);
        a1.sendMedia(down);
        for (MediaSocket to : List.of(a2, b1, b2)) {
            assertArrayEquals(down, to.receiveMedia(WAIT));
        }
        byte[] up = payload(2, 7);
        b1.sendMedia(up);
        for (MediaSocket to : List.of(b2, a1, a2)) {
            assertArrayEquals(up, to.receiveMedia(WAIT));
        }
    }

    private static byte[] payload(int sourceId, int seq) {
        return MediaFlows.payload(sourceId, seq, PAYLOAD);
    }

    /** Records "in|out type length" of the datagrams exchanged with {@code port} only (the remote forwarder). */
    private static PacketTap tapOf(List<String> tapped, int port) {
        return new PacketTap() {
            @Override
            public void received(InetSocketAddress from, byte[] datagram) {
                if (from.getPort() == port) {
                    tapped.add("in " + datagram[0] + " " + datagram.length);
                }
            }

            @Override
            public void sent(InetSocketAddress to, byte[] datagram) {
                if (to.getPort() == port) {
                    tapped.add("out " + datagram[0] + " " + datagram.length);
                }
            }
        };
    }

    // A stand-in for a remote forwarder (or a stranger): a bare socket that sees the link's datagrams byte for byte.
    private DatagramSocket fake() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        fakes.add(socket);
        return socket;
    }

    private static void send(DatagramSocket from, byte[] datagram, InetSocketAddress to) throws IOException {
        from.send(new DatagramPacket(datagram, datagram.length, to));
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        byte[] datagram = receiveWithin(socket, WAIT);
        assertNotNull(datagram, "a datagram within " + WAIT);
        return datagram;
    }

    private static byte[] receiveOrNull(DatagramSocket socket) throws IOException {
        return receiveWithin(socket, QUIET);
    }

    private static byte[] receiveWithin(DatagramSocket socket, Duration timeout) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    private static boolean isFree(int port) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
            return probe.isBound();
        } catch (IOException e) {
            return false;
        }
    }

}
