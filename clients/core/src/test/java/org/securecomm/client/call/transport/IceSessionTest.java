package org.securecomm.client.call.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.securecomm.ops.turn.CoturnServer;
import org.securecomm.ops.turn.TurnRestCredentials;
import org.securecomm.protocol.content.v1.IceCandidate;
import org.securecomm.protocol.content.v1.IceDescription;

/** Two ICE agents on loopback: directly, and through a real coturn with the RELAY policy. */
@Timeout(60)
class IceSessionTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static CoturnServer coturn;

    @BeforeAll
    static void startCoturn() {
        coturn = CoturnServer.start();
    }

    @AfterAll
    static void stopCoturn() {
        if (coturn != null) {
            coturn.close();
        }
    }

    @Test
    void twoSessionsOnLoopbackConnectDirectlyAndCarryMediaBothWays() throws Exception {
        IceSession caller = IceSession.create(IceConfig.loopback(IcePolicy.ALL, List.of()));
        IceSession callee = IceSession.create(IceConfig.loopback(IcePolicy.ALL, List.of()));
        assertTypes(caller.localDescription(), "host");
        assertFalse(caller.localDescription().getRelayOnly());

        Connected pair = connect(caller, callee);
        try (MediaTransport a = pair.caller(); MediaTransport b = pair.callee()) {
            assertTrue(a.describe().startsWith("ice direct host"), a.describe());
            assertEquals("host", caller.selectedPair().orElseThrow().localType());
            assertEquals("host", callee.selectedPair().orElseThrow().localType());
            exchange(a, b);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().equals("ice-receive")), "a receive thread outlived close");
    }

    @Test
    void interfaceHostCandidatesConnectWhenTheMachineHasANetworkInterface() throws Exception {
        Assumptions.assumeTrue(hasUpNonLoopbackIpv4(), "no network interface besides loopback");
        IceSession caller = IceSession.create(IceConfig.of(IcePolicy.ALL, List.of()));
        IceSession callee = IceSession.create(IceConfig.of(IcePolicy.ALL, List.of()));
        assertTypes(caller.localDescription(), "host");
        assertTrue(caller.localDescription().getCandidatesList().stream()
                .noneMatch(c -> c.getHost().startsWith("127.")), "loopback only when asked for");
        Connected pair = connect(caller, callee);
        try (MediaTransport a = pair.caller(); MediaTransport b = pair.callee()) {
            assertTrue(a.describe().startsWith("ice direct host"), a.describe());
            exchange(a, b);
        }
    }

    private static boolean hasUpNonLoopbackIpv4() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()
                    && Collections.list(nic.getInetAddresses()).stream().anyMatch(a -> a instanceof Inet4Address)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void relayPolicyConnectsThroughCoturnWithRelayCandidatesOnly() throws Exception {
        IceSession caller = IceSession.create(relayConfig(coturn.credentials("caller-device", Duration.ofMinutes(10))));
        IceSession callee = IceSession.create(relayConfig(coturn.credentials("callee-device", Duration.ofMinutes(10))));
        assertTypes(caller.localDescription(), "relay");
        assertTypes(callee.localDescription(), "relay");
        assertTrue(caller.localDescription().getRelayOnly());
        for (IceCandidate candidate : caller.localDescription().getCandidatesList()) {
            assertInRelayRange(candidate.getPort());
        }

        Connected pair = connect(caller, callee);
        try (MediaTransport a = pair.caller(); MediaTransport b = pair.callee()) {
            for (IceSession side : List.of(caller, callee)) {
                SelectedPair selected = side.selectedPair().orElseThrow();
                assertEquals("relay", selected.localType(), selected.describe());
                // Both ends of the path are coturn's relay sockets: media really crosses coturn.
                assertInRelayRange(port(selected.localAddress()));
                assertInRelayRange(port(selected.remoteAddress()));
            }
            assertTrue(a.describe().startsWith("ice relay (TURN) relay"), a.describe());
            exchange(a, b);
        }
        // coturn's own account (its launcher logs verbosely): both allocated, bound a channel for
        // the media and, on close, deleted the allocation (Refresh with lifetime 0).
        for (String device : List.of("caller-device", "callee-device")) {
            awaitCoturnLog(device + ">: incoming packet CHANNEL_BIND processed, success");
            awaitCoturnLog(device + ">, lifetime=0");
        }
    }

    @Test
    void relayPolicyToADirectPeerStillUsesOnlyItsRelay() throws Exception {
        IceSession caller = IceSession.create(relayConfig(coturn.credentials("caller-device", Duration.ofMinutes(10))));
        IceSession callee = IceSession.create(IceConfig.loopback(IcePolicy.ALL, List.of()));
        Connected pair = connect(caller, callee);
        try (MediaTransport a = pair.caller(); MediaTransport b = pair.callee()) {
            assertEquals("relay", caller.selectedPair().orElseThrow().localType());
            exchange(a, b);
        }
    }

    @Test
    void aWrongTurnPasswordFailsClearlyWithoutHanging() {
        TurnRestCredentials good = coturn.credentials("device", Duration.ofMinutes(10));
        TurnServer wrong = new TurnServer(coturn.host(), coturn.port(), good.username(), "not-the-password");
        MediaTransportException e = assertThrows(MediaTransportException.class,
                () -> IceSession.create(IceConfig.loopback(IcePolicy.RELAY, List.of(wrong))));
        assertTrue(e.getMessage().contains("no TURN server") && e.getMessage().contains("credentials"), e.getMessage());
    }

    @Test
    void connectFailsClearlyWhenThePeerNeverAnswers() throws Exception {
        IceSession lonely = IceSession.create(IceConfig.loopback(IcePolicy.ALL, List.of()));
        IceSession silent = IceSession.create(IceConfig.loopback(IcePolicy.ALL, List.of()));
        IceDescription remote = silent.localDescription();
        silent.close(); // its sockets are gone: every check times out
        MediaTransportException e = assertThrows(MediaTransportException.class,
                () -> lonely.connect(remote, true, Duration.ofSeconds(3)));
        assertTrue(e.getMessage().contains("no candidate pair succeeded") || e.getMessage().contains("did not complete"),
                e.getMessage());
    }

    @Test
    void turnUrlsOfTheRelayBecomeUdpTurnServers() {
        var credentials = org.securecomm.protocol.client.v1.TurnCredentials.newBuilder()
                .addUrls("turn:turn.example.org:3479?transport=udp")
                .addUrls("turn:turn.example.org")
                .addUrls("turn:turn.example.org:3478?transport=tcp")
                .addUrls("turns:turn.example.org:5349?transport=tcp")
                .setUsername("1700000000:d").setPassword("p").setTtlSeconds(600).build();
        assertEquals(List.of(new TurnServer("turn.example.org", 3479, "1700000000:d", "p"),
                new TurnServer("turn.example.org", 3478, "1700000000:d", "p")), TurnServer.from(credentials));
    }

    private static IceConfig relayConfig(TurnRestCredentials credentials) {
        return IceConfig.loopback(IcePolicy.RELAY,
                List.of(new TurnServer(coturn.host(), coturn.port(), credentials.username(), credentials.password())));
    }

    private record Connected(MediaTransport caller, MediaTransport callee) {
    }

    /** Both sides check at once, as two devices do after the OFFER/ANSWER exchange. */
    private static Connected connect(IceSession caller, IceSession callee) throws Exception {
        IceDescription offer = caller.localDescription();
        IceDescription answer = callee.localDescription();
        CompletableFuture<MediaTransport> calleeSide = CompletableFuture.supplyAsync(() -> {
            try {
                return callee.connect(offer, false, CONNECT_TIMEOUT);
            } catch (MediaTransportException e) {
                throw new IllegalStateException(e);
            }
        });
        MediaTransport callerSide = caller.connect(answer, true, CONNECT_TIMEOUT);
        return new Connected(callerSide, calleeSide.get(CONNECT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS));
    }

    /** Ten payloads each way; UDP (and TURN's switch from Send indications to a channel) may reorder them. */
    private static void exchange(MediaTransport a, MediaTransport b) throws InterruptedException {
        BlockingQueue<byte[]> atA = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> atB = new LinkedBlockingQueue<>();
        a.onReceive(atA::add);
        b.onReceive(atB::add);
        Set<String> sentByA = new HashSet<>();
        Set<String> sentByB = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            a.send(ForwarderTransportTest.payload(i));
            b.send(ForwarderTransportTest.payload(100 + i));
            sentByA.add(Arrays.toString(ForwarderTransportTest.payload(i)));
            sentByB.add(Arrays.toString(ForwarderTransportTest.payload(100 + i)));
        }
        assertEquals(sentByA, receive(atB, 10));
        assertEquals(sentByB, receive(atA, 10));
        assertEquals(new MediaTransport.Stats(10, 10, 0), a.stats());
        assertEquals(new MediaTransport.Stats(10, 10, 0), b.stats());
    }

    private static Set<String> receive(BlockingQueue<byte[]> inbox, int count) throws InterruptedException {
        Set<String> received = new HashSet<>();
        for (int i = 0; i < count; i++) {
            byte[] payload = inbox.poll(5, TimeUnit.SECONDS);
            assertNotNull(payload, "received " + i + " of " + count);
            received.add(Arrays.toString(payload));
        }
        return received;
    }

    private static void assertTypes(IceDescription description, String type) {
        assertFalse(description.getCandidatesList().isEmpty());
        assertFalse(description.getUfrag().isEmpty());
        assertTrue(description.getPassword().length() >= 22);
        for (IceCandidate candidate : description.getCandidatesList()) {
            assertEquals(type, candidate.getType(), candidate.toString());
            assertEquals("udp", candidate.getProtocol());
            assertEquals(1, candidate.getComponent());
        }
    }

    private static void awaitCoturnLog(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Files.readString(coturn.logFile()).contains(text)) {
            assertTrue(System.nanoTime() - deadline < 0, "coturn's log never said: " + text);
            Thread.sleep(50);
        }
    }

    private static void assertInRelayRange(int port) {
        assertTrue(port >= coturn.minRelayPort() && port <= coturn.maxRelayPort(),
                port + " not in coturn's relay range " + coturn.minRelayPort() + "-" + coturn.maxRelayPort());
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
