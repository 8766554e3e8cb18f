package org.securecomm.desktop.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.CallStats;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.client.call.media.AudioCorrelation;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.SineSource;
import org.securecomm.client.call.media.WavFileSource;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.DatagramCapture;
import org.securecomm.desktop.support.GroupCalls;
import org.securecomm.desktop.support.Melody;
import org.securecomm.desktop.support.Recordings;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.content.v1.CallRecord;
import org.securecomm.relay.media.LinkStats;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.media.MediaForwarder;
import org.securecomm.relay.support.FederatedClusters;

/**
 * Calls between accounts of independent clusters (a.test holds the calls its accounts
 * place; b.test's devices act in them through their home relay): a 1:1 call through the cascade
 * of the two forwarders (every device sends only to its home relay), a 1:1 call over the direct
 * ICE path whose signalling crosses the clusters, a declined and a missed call in both sides'
 * history, and a group call of four devices on three clusters where everyone hears everyone.
 */
class FederatedCallTest {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Duration RING_TIMEOUT = Duration.ofSeconds(5);
    private static FederatedClusters clusters;
    private final List<SecureCommClient> devices = new ArrayList<>();

    @BeforeAll
    static void startClusters() {
        clusters = FederatedClusters.start(List.of("a.test", "b.test", "c.test"), Map.of("securecomm.calls.ring-timeout", RING_TIMEOUT.toSeconds() + "s"));
    }

    @AfterEach
    void closeDevices() {
        devices.forEach(SecureCommClient::close);
    }

    @AfterAll
    static void stopClusters() {
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void oneToOneThroughTheCascadeEachDeviceSendingOnlyToItsHomeRelay(@TempDir Path dir) throws Exception {
        Path aliceSends = Melody.write(dir.resolve("alice.wav"), 11, 8);
        Path bobSends = Melody.write(dir.resolve("bob.wav"), 12, 8);
        SecureCommClient alice = register(dir, "alice", "a.test");
        SecureCommClient bob = register(dir, "bob", "b.test");
        MediaForwarder forwarderA = forwarder("a.test");
        MediaForwarder forwarderB = forwarder("b.test");
        try (DatagramCapture atA = DatagramCapture.on(forwarderA); DatagramCapture atB = DatagramCapture.on(forwarderB)) {
            CallProbe caller = new CallProbe(alice);
            CallProbe callee = new CallProbe(bob);
            CallOptions viaRelays = CallOptions.defaults().withIceLoopback(true).withDirectPath(false);
            String callId = caller.calls().place(List.of(bob.address()),
                    viaRelays.withAudio(() -> open(aliceSends)).withRecordDir(dir.resolve("at-alice")));
            assertTrue(callId.endsWith("@a.test"), callId);
            assertEquals(callId, callee.awaitRinging(WAIT).callId());
            callee.calls().answer(callId, viaRelays.withAudio(() -> open(bobSends)).withRecordDir(dir.resolve("at-bob")));
            TestClients.await("6 s of alice's audio at bob", WAIT, () -> callee.decryptedFrom(CallProbe.label(alice)) >= 300);
            TestClients.await("6 s of bob's audio at alice", WAIT, () -> caller.decryptedFrom(CallProbe.label(bob)) >= 300);
            assertTrue(caller.calls().mediaPath().orElseThrow().startsWith("forwarder"), caller.calls().mediaPath().toString());
            assertTrue(callee.calls().mediaPath().orElseThrow().startsWith("forwarder"), callee.calls().mediaPath().toString());

            // b.test's leg of the call is linked to a.test's room; a.test, which holds the call, links nowhere
            assertEquals(List.of(), forwarderA.cascadeLinks(), "the forwarder of the call's own cluster has no link");
            List<MediaAdmission.Link> links = forwarderB.cascadeLinks();
            assertEquals(1, links.size(), "b.test's leg: " + links);
            MediaAdmission.Link link = links.get(0);
            assertEquals(forwarderA.port(), link.remotePort(), "b.test's leg links to a.test's forwarder");
            LinkStats stats = forwarderB.linkStats(link.localRoomId(), link.remoteHost(), link.remotePort());
            assertNotNull(stats);
            assertTrue(stats.packetsUp() >= 300 && stats.packetsDown() >= 300 && stats.echoes() > 0, "media crossed the cascade: " + stats);

            // each device sent media to its home forwarder only, and heard only from it
            InetSocketAddress linkSocket = new InetSocketAddress(link.remoteHost(), link.localPort());
            Set<InetSocketAddress> devicesAtA = new HashSet<>(atA.mediaSenders());
            assertTrue(devicesAtA.remove(linkSocket), "a.test received the cascade's media from b.test's link: " + atA.mediaSenders());
            assertEquals(1, devicesAtA.size(), "one device sent media to a.test's forwarder: " + devicesAtA);
            assertEquals(1, atB.mediaSenders().size(), "one device sent media to b.test's forwarder: " + atB.mediaSenders());
            InetSocketAddress aliceDevice = devicesAtA.iterator().next();
            InetSocketAddress bobDevice = atB.mediaSenders().iterator().next();
            assertFalse(atA.all().stream().anyMatch(d -> d.peer().equals(bobDevice)), "bob's device and a.test's forwarder never met");
            assertFalse(atB.all().stream().anyMatch(d -> d.peer().equals(aliceDevice)), "alice's device and b.test's forwarder never met");

            CallStats atAlice = caller.calls().mediaStats().orElseThrow();
            CallStats atBob = callee.calls().mediaStats().orElseThrow();
            caller.calls().hangUp();
            TestClients.await("bob's call ended", WAIT, () -> callee.calls().activeCallId().isEmpty());
            TestClients.await("b.test's leg closed", WAIT, () -> forwarderB.cascadeLinks().isEmpty() && forwarderB.rooms() == 0);

            assertHears(aliceSends, atBob, CallProbe.label(alice));
            assertHears(bobSends, atAlice, CallProbe.label(bob));
        }
    }

    @Test
    void oneToOneOverTheDirectPathSignalledAcrossTheClusters(@TempDir Path dir) throws Exception {
        Path sent = Melody.write(dir.resolve("melody.wav"), 31, 8);
        SecureCommClient dora = register(dir, "dora", "b.test");
        SecureCommClient eric = register(dir, "eric", "a.test");
        try (DatagramCapture atA = DatagramCapture.on(forwarder("a.test")); DatagramCapture atB = DatagramCapture.on(forwarder("b.test"))) {
            CallProbe caller = new CallProbe(dora);
            CallProbe callee = new CallProbe(eric);
            CallOptions direct = CallOptions.defaults().withIceLoopback(true);
            // placed on b.test this time: the call lives there and a.test's device acts through its home relay
            String callId = caller.calls().place(List.of(eric.address()), direct.withAudio(() -> open(sent)));
            assertTrue(callId.endsWith("@b.test"), callId);
            callee.awaitRinging(WAIT);
            callee.calls().answer(callId, direct.withRecordDir(dir.resolve("at-eric")));
            TestClients.await("6 s of dora's audio at eric", WAIT, () -> callee.decryptedFrom(CallProbe.label(dora)) >= 300);
            String path = caller.calls().mediaPath().orElseThrow();
            assertTrue(path.startsWith("ice "), path);
            CallStats atEric = callee.calls().mediaStats().orElseThrow();
            callee.calls().hangUp();
            TestClients.await("dora's call ended", WAIT, () -> caller.calls().activeCallId().isEmpty());
            assertEquals(0, atA.mediaReceived() + atB.mediaReceived(), "the direct path's media crossed no forwarder");
            assertHears(sent, atEric, CallProbe.label(dora));
        }
    }

    @Test
    void declinedAndMissedCallsAreInBothSidesHistory(@TempDir Path dir) throws Exception {
        SecureCommClient fay = register(dir, "fay", "a.test");
        SecureCommClient gus = register(dir, "gus", "b.test");
        CallProbe caller = new CallProbe(fay);
        CallProbe callee = new CallProbe(gus);
        CallOptions options = CallOptions.defaults().withIceLoopback(true);

        String declined = caller.calls().place(List.of(gus.address()), options);
        callee.awaitRinging(WAIT);
        callee.calls().decline(declined);
        caller.await(CallUpdate.Ended.class, e -> e.callId().equals(declined), WAIT);
        assertEquals(CallRecord.Direction.OUTGOING, caller.awaitHistory(declined, CallRecord.Outcome.DECLINED, WAIT).getDirection());
        assertEquals(CallRecord.Direction.INCOMING, callee.awaitHistory(declined, CallRecord.Outcome.DECLINED, WAIT).getDirection());

        String missed = caller.calls().place(List.of(gus.address()), options);
        assertEquals(missed, callee.awaitRinging(WAIT).callId());
        caller.await(CallUpdate.Ended.class, e -> e.callId().equals(missed), WAIT.plus(RING_TIMEOUT));
        assertEquals(CallRecord.Direction.OUTGOING, caller.awaitHistory(missed, CallRecord.Outcome.MISSED, WAIT).getDirection());
        CallRecord atCallee = callee.awaitHistory(missed, CallRecord.Outcome.MISSED, WAIT);
        assertEquals(CallRecord.Direction.INCOMING, atCallee.getDirection());
        assertEquals(List.of(fay.address()), atCallee.getParticipantsList());
    }

    @Test
    void aGroupCallOnThreeClustersWhereEveryoneHearsEveryone(@TempDir Path dir) throws Exception {
        double[] tones = {300, 500, 700, 900};
        List<SecureCommClient> clients = new ArrayList<>();
        List<CallProbe> probes = new ArrayList<>();
        clients.add(register(dir, "hana", "a.test"));
        clients.add(register(dir, "ivan", "b.test"));
        clients.add(register(dir, "jade", "b.test"));
        clients.add(register(dir, "kurt", "c.test"));
        clients.forEach(client -> probes.add(new CallProbe(client)));
        String callId = probes.get(0).calls().place(clients.subList(1, 4).stream().map(SecureCommClient::address).toList(),
                toneOptions(dir, tones, 0));
        for (int i = 1; i < 4; i++) {
            assertEquals(callId, probes.get(i).awaitRinging(WAIT).callId());
            probes.get(i).calls().answer(callId, toneOptions(dir, tones, i));
        }
        GroupCalls.awaitEveryoneHearsEveryone(probes, 50, WAIT);
        for (CallProbe probe : probes) {
            assertTrue(probe.calls().mediaPath().orElseThrow().startsWith("forwarder"), "group media goes through the forwarders");
        }
        // b.test's two devices share one leg (one link, one token at a.test); c.test has a leg of its own
        assertEquals(1, forwarder("b.test").cascadeLinks().size(), "b.test's devices share one leg");
        assertEquals(1, forwarder("c.test").cascadeLinks().size(), "c.test's leg");
        List<CallStats> stats = new ArrayList<>();
        for (CallProbe probe : probes) {
            stats.add(probe.calls().mediaStats().orElseThrow());
        }
        probes.forEach(probe -> probe.calls().hangUp());
        List<String> addresses = clients.stream().map(SecureCommClient::address).toList();
        for (CallStats stat : stats) {
            assertEquals(3, stat.streams().size(), "three others heard: " + stat);
            GroupCalls.assertEachStreamIsItsSendersTone(stat, addresses, tones, 100);
        }
    }

    private static CallOptions toneOptions(Path dir, double[] tones, int index) {
        return CallOptions.defaults().withIceLoopback(true)
                .withAudio(() -> new SineSource(tones[index], 0.5, CallAudio.SAMPLE_RATE * 120L))
                .withRecordDir(dir.resolve("recordings-" + index));
    }

    /** The stream of {@code sender} in {@code stats} is a recording of the melody in {@code sent}, and not of another one. */
    private static void assertHears(Path sent, CallStats stats, String sender) throws Exception {
        CallStats.Stream stream = stats.streams().stream().filter(s -> s.participant().equals(sender)).findFirst()
                .orElseThrow(() -> new AssertionError("no stream of " + sender + " in " + stats));
        short[] recorded = Recordings.readAll(stream.recording());
        AudioCorrelation.Match match = Recordings.bestMatch(Recordings.readAll(open(sent)), recorded, 10 * CallAudio.FRAME_SAMPLES);
        assertTrue(match.coefficient() > 0.6, sender + "'s recording matches what it sent: " + match);
        short[] other = Recordings.readAll(open(Melody.write(sent.resolveSibling("other-" + sent.getFileName()), 97, 8)));
        assertTrue(Recordings.bestMatch(other, recorded, 10 * CallAudio.FRAME_SAMPLES).coefficient() < 0.3,
                "another melody must not match");
    }

    /** Registers on the cluster of {@code domain}; the device is closed after the test. */
    private SecureCommClient register(Path dir, String username, String domain) {
        SecureCommClient client = TestClients.register(dir.resolve(username), username, clusters.cluster(domain));
        devices.add(client);
        return client;
    }

    private static MediaForwarder forwarder(String domain) {
        return clusters.cluster(domain).node().mediaForwarder();
    }

    private static WavFileSource open(Path wav) {
        try {
            return new WavFileSource(wav);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

