package org.securecomm.bench.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.securecomm.ops.turn.CoturnServer;
import org.securecomm.ops.turn.TurnRestCredentials;

/** Against a real coturn (Debian's turnserver, started by ops/turn's CoturnServer on loopback). */
@Timeout(120)
class TurnClientTest {

    private static final Duration LIFETIME = Duration.ofMinutes(10);
    private static CoturnServer coturn;

    @BeforeAll
    static void startCoturn() {
        coturn = CoturnServer.start(CoturnServer.Options.benchmark(20, 1));
    }

    @AfterAll
    static void stopCoturn() {
        if (coturn != null) {
            coturn.close();
        }
    }

    @Test
    void relaysADatagramBothWaysThroughABoundChannelThenRefreshesAndDeletesTheAllocation() throws Exception {
        TurnRestCredentials credentials = coturn.credentials("bench-a", Duration.ofHours(1));
        try (DatagramChannel peer = DatagramChannel.open();
             TurnClient client = TurnClient.allocate(coturn.address(), credentials.username(), credentials.password(), LIFETIME)) {
            peer.bind(new InetSocketAddress("127.0.0.1", 0));
            peer.socket().setSoTimeout(5000);
            InetSocketAddress relayed = client.relayedAddress();
            assertTrue(relayed.getPort() >= coturn.minRelayPort() && relayed.getPort() <= coturn.maxRelayPort(), relayed.toString());

            int channel = client.bindChannel((InetSocketAddress) peer.getLocalAddress());
            assertEquals(TurnClient.FIRST_CHANNEL, channel);
            assertTrue(client.send(channel, ByteBuffer.wrap("to the peer".getBytes(StandardCharsets.UTF_8))));
            java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[2048], 2048);
            peer.socket().receive(packet);
            assertEquals("to the peer", new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
            assertEquals(relayed, packet.getSocketAddress());

            peer.send(ByteBuffer.wrap("back".getBytes(StandardCharsets.UTF_8)), relayed);
            TurnClient.ChannelData back = client.receive(Duration.ofSeconds(5)).orElseThrow();
            assertEquals(channel, back.channel());
            assertArrayEquals("back".getBytes(StandardCharsets.UTF_8), back.data());

            client.refreshAll(LIFETIME);
            assertEquals(channel, client.bindChannel((InetSocketAddress) peer.getLocalAddress()), "a bound peer keeps its channel");
        }
    }

    @Test
    void aSecondPeerGetsTheNextChannel() throws Exception {
        TurnRestCredentials credentials = coturn.credentials("bench-b", Duration.ofHours(1));
        try (DatagramChannel first = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel second = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             TurnClient client = TurnClient.allocate(coturn.address(), credentials.username(), credentials.password(), LIFETIME)) {
            second.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 16);
            int a = client.bindChannel((InetSocketAddress) first.getLocalAddress());
            int b = client.bindChannel((InetSocketAddress) second.getLocalAddress());
            assertNotEquals(a, b);
            assertTrue(client.send(b, ByteBuffer.wrap(new byte[] {7})));
            second.socket().setSoTimeout(5000);
            java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[16], 16);
            second.socket().receive(packet);
            SocketAddress from = packet.getSocketAddress();
            assertEquals(client.relayedAddress(), from);
            assertEquals(1, packet.getLength());
        }
    }

    @Test
    void wrongCredentialsAreRefusedWithTheServersCode() {
        TurnRestCredentials credentials = coturn.credentials("bench-c", Duration.ofHours(1));
        TurnException refused = assertThrows(TurnException.class,
                () -> TurnClient.allocate(coturn.address(), credentials.username(), "not-the-password", LIFETIME).close());
        assertEquals(401, refused.code().orElse(0));
        assertTrue(refused.getMessage().contains("Allocate refused") && refused.getMessage().contains("401"), refused.getMessage());
    }

    @Test
    void aPeerTheServerForbidsIsRefusedWithItsCode() throws Exception {
        // The error path of an authenticated request: the launcher's config has no-multicast-peers.
        TurnRestCredentials credentials = coturn.credentials("bench-d", Duration.ofHours(1));
        try (TurnClient client = TurnClient.allocate(coturn.address(), credentials.username(), credentials.password(), LIFETIME)) {
            TurnException refused = assertThrows(TurnException.class, () -> client.bindChannel(new InetSocketAddress("224.0.0.1", 5004)));
            assertTrue(refused.code().isPresent() && refused.code().getAsInt() >= 400, refused.getMessage());
            assertTrue(refused.getMessage().startsWith("ChannelBind refused by TURN server"), refused.getMessage());
        }
    }
}
