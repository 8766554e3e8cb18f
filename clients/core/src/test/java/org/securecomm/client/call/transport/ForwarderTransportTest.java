package org.securecomm.client.call.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.MediaRoute;

@Timeout(30)
class ForwarderTransportTest {

    private static final long ROOM = 0x0102030405060708L;
    private static final long TOKEN = 0x1112131415161718L;

    @Test
    void sendsMediaWithRoomTokenAndIncreasingHopSeqAndDeliversForwardedMedia() throws Exception {
        try (ForwarderStandIn forwarder = new ForwarderStandIn(ROOM, TOKEN);
             ForwarderTransport transport = ForwarderTransport.open(route(forwarder.port(), TOKEN), Duration.ofSeconds(5))) {
            assertTrue(transport.echoed());
            assertEquals("forwarder 127.0.0.1:" + forwarder.port(), transport.describe());
            BlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
            transport.onReceive(inbox::add);

            for (int i = 0; i < 5; i++) {
                transport.send(payload(i));
            }
            List<ForwarderStandIn.Received> media = new ArrayList<>();
            int lastSeq = -1;
            while (media.size() < 5) {
                ForwarderStandIn.Received r = forwarder.received().poll(5, TimeUnit.SECONDS);
                assertNotNull(r, "the forwarder got " + media.size() + " of 5 media datagrams");
                assertTrue(r.hopSeq() > lastSeq, "hop seq increases over keepalives and media");
                lastSeq = r.hopSeq();
                if (r.type() == MediaDatagrams.CLIENT_MEDIA) {
                    media.add(r);
                }
            }
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(payload(i), media.get(i).payload());
            }

            forwarder.sendToClient(MediaDatagrams.forwarded(payload(42)));
            forwarder.sendToClient(new byte[] {0x07, 1, 2, 3});                    // unknown type
            forwarder.sendToClient(new byte[] {MediaDatagrams.FORWARDED_MEDIA, 1}); // no payload header
            forwarder.sendToClient(new byte[] {MediaDatagrams.KEEPALIVE_ECHO, 0});  // truncated echo
            forwarder.sendToClient(MediaDatagrams.forwarded(payload(43)));
            assertArrayEquals(payload(42), inbox.poll(5, TimeUnit.SECONDS));
            assertArrayEquals(payload(43), inbox.poll(5, TimeUnit.SECONDS));
            assertEquals(new MediaTransport.Stats(5, 2, 3), transport.stats());
        }
    }

    @Test
    void keepsSendingKeepalivesAfterOpening() throws Exception {
        try (ForwarderStandIn forwarder = new ForwarderStandIn(ROOM, TOKEN);
             ForwarderTransport transport = ForwarderTransport.open(route(forwarder.port(), TOKEN), Duration.ofSeconds(5))) {
            drain(forwarder); // the opening keepalive(s)
            ForwarderStandIn.Received next = forwarder.received().poll(10, TimeUnit.SECONDS);
            assertNotNull(next, "no keepalive after the route was open");
            assertEquals(MediaDatagrams.CLIENT_KEEPALIVE, next.type());
            assertEquals(0, next.payload().length);
            assertEquals(0, transport.stats().sent(), "keepalives are not media");
        }
    }

    @Test
    void openFailsClearlyWhenTheForwarderNeverEchoes() throws Exception {
        // A wrong token: the forwarder drops the keepalives without an answer.
        try (ForwarderStandIn forwarder = new ForwarderStandIn(ROOM, TOKEN)) {
            MediaTransportException e = assertThrows(MediaTransportException.class,
                    () -> ForwarderTransport.open(route(forwarder.port(), TOKEN + 1), Duration.ofMillis(800)));
            assertTrue(e.getMessage().contains("did not echo a keepalive"), e.getMessage());
        }
        // Nothing listening at all (ICMP port unreachable on loopback): the same clear failure.
        int closedPort;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = socket.getLocalPort();
        }
        assertThrows(MediaTransportException.class,
                () -> ForwarderTransport.open(route(closedPort, TOKEN), Duration.ofMillis(800)));
        assertNoTransportThreads();
    }

    @Test
    void closeLeavesNoThreadAndSendsNothingMore() throws Exception {
        try (ForwarderStandIn forwarder = new ForwarderStandIn(ROOM, TOKEN)) {
            ForwarderTransport transport = ForwarderTransport.open(route(forwarder.port(), TOKEN), Duration.ofSeconds(5));
            transport.close();
            transport.close(); // idempotent
            assertNoTransportThreads();
            drain(forwarder);
            transport.send(payload(1));
            assertEquals(null, forwarder.received().poll(300, TimeUnit.MILLISECONDS));
            assertEquals(0, transport.stats().sent());
        }
    }

    private static void assertNoTransportThreads() {
        List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("forwarder-keepalive") || name.startsWith("forwarder-receive")).toList();
        assertEquals(List.of(), left);
    }

    private static void drain(ForwarderStandIn forwarder) throws InterruptedException {
        while (forwarder.received().poll(100, TimeUnit.MILLISECONDS) != null) {
            // skip
        }
    }

    static MediaRoute route(int port, long token) {
        return MediaRoute.newBuilder().setHost("127.0.0.1").setPort(port)
                .setRoomId(ByteString.copyFrom(MediaDatagrams.bytesOf(ROOM)))
                .setToken(ByteString.copyFrom(MediaDatagrams.bytesOf(token))).build();
    }

    static byte[] payload(int seq) {
        byte[] header = MediaDatagrams.payloadHeader(7, MediaDatagrams.KIND_AUDIO, seq);
        byte[] payload = new byte[header.length + 40];
        System.arraycopy(header, 0, payload, 0, header.length);
        for (int i = header.length; i < payload.length; i++) {
            payload[i] = (byte) (seq * 31 + i);
        }
        return payload;
    }
}
