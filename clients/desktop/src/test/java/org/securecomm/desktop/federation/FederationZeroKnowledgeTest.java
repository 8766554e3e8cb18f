package org.securecomm.desktop.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.MediaKeys;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.OpusFrameEncoder;
import org.securecomm.client.call.media.WavFileSource;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.DatagramCapture;
import org.securecomm.desktop.support.Melody;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.desktop.support.ZeroKnowledge;
import org.securecomm.relay.support.FederatedClusters;
import org.slf4j.LoggerFactory;

/**
 * Zero knowledge across the federation boundary: messages carrying a random canary go both ways
 * between accounts of two clusters, and they talk in a call whose media crosses the cascade of
 * the two forwarders. Then neither cluster's Cassandra (every cell, every file of its data
 * directory), nor the relays' log, nor any datagram either forwarder received or sent holds the
 * canary (text, hex, base64) or an SFrame key the devices used; and no datagram holds a 12-byte
 * piece of an Opus frame the senders' encoders made. Positive controls prove each search finds
 * what is there: a username (stored in the clear) in Cassandra, a line logged on purpose in the log,
 * an Opus frame in a datagram.
 */
class FederationZeroKnowledgeTest {

    private static final Duration WAIT = Duration.ofSeconds(40);
    private static FederatedClusters clusters;

    @BeforeAll
    static void startClusters() {
        clusters = FederatedClusters.start(List.of("a.test", "b.test"), Map.of());
    }

    @AfterAll
    static void stopClusters() {
        if (clusters != null) {
            clusters.close();
        }
    }

    @Test
    void neitherClusterLearnsMessagesMediaOrKeys(@TempDir Path dir) throws Exception {
        String canary = "the quick canary " + UUID.randomUUID().toString().replace("-", "") + " sings at dawn";
        // A username is stored in the clear: the control that the Cassandra search finds what is there.
        String bobName = "zk" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path aliceSends = Melody.write(dir.resolve("alice.wav"), 41, 6);
        Path bobSends = Melody.write(dir.resolve("bob.wav"), 42, 6);
        SecureCommClient alice = TestClients.register(dir.resolve("alice"), "zkalice", clusters.cluster("a.test"));
        SecureCommClient bob = TestClients.register(dir.resolve("bob"), bobName, clusters.cluster("b.test"));
        Set<String> keys = ConcurrentHashMap.newKeySet();
        DatagramCapture atA = DatagramCapture.on(clusters.cluster("a.test").node().mediaForwarder());
        DatagramCapture atB = DatagramCapture.on(clusters.cluster("b.test").node().mediaForwarder());
        try {
            alice.send(bob.address(), "message " + canary);
            bob.send(alice.address(), "reply " + canary);
            TestClients.await("both messages on both sides", WAIT,
                    () -> alice.allMessages().size() == 2 && bob.allMessages().size() == 2);
            assertTrue(bob.allMessages().stream().anyMatch(m -> m.text().equals("message " + canary)), "the canary decrypts at bob");

            MediaKeys.collect(alice, keys);
            MediaKeys.collect(bob, keys);
            CallProbe caller = new CallProbe(alice);
            CallProbe callee = new CallProbe(bob);
            CallOptions viaRelays = CallOptions.defaults().withIceLoopback(true).withDirectPath(false).withKeyRotation(Duration.ofSeconds(2));
            String callId = caller.calls().place(List.of(bob.address()), viaRelays.withAudio(() -> open(aliceSends)));
            callee.awaitRinging(WAIT);
            callee.calls().answer(callId, viaRelays.withAudio(() -> open(bobSends)));
            TestClients.await("4 s of alice's audio at bob", WAIT, () -> callee.decryptedFrom(CallProbe.label(alice)) >= 200);
            TestClients.await("4 s of bob's audio at alice", WAIT, () -> caller.decryptedFrom(CallProbe.label(bob)) >= 200);
            assertEquals(1, clusters.cluster("b.test").node().mediaForwarder().cascadeLinks().size(), "the media crossed the cascade");
            MediaKeys.addCurrent(alice, keys);
            MediaKeys.addCurrent(bob, keys);
            caller.calls().hangUp();
            TestClients.await("bob's call ended", WAIT, () -> callee.calls().activeCallId().isEmpty());
        } finally {
            atA.close();
            atB.close();
            alice.close();
            bob.close();
        }

        // no piece of an Opus frame in any datagram at either forwarder
        List<byte[]> datagrams = new ArrayList<>(atA.bytes());
        datagrams.addAll(atB.bytes());
        assertTrue(atA.mediaReceived() > 300 && atB.mediaReceived() > 150, "both forwarders carried the call (a.test: both directions): "
                + atA.mediaReceived() + ", " + atB.mediaReceived());
        Set<ByteBuffer> opus = ZeroKnowledge.opusPieces(open(aliceSends));
        opus.addAll(ZeroKnowledge.opusPieces(open(bobSends)));
        assertTrue(opus.size() > 1000, "the reference encodings have content");
        assertEquals(0, ZeroKnowledge.holdingOpus(datagrams, opus), "datagrams at the forwarders holding Opus frames");

        // neither the canary nor a key anywhere on either cluster
        assertTrue(keys.size() >= 4, "keys of both devices, rotated: " + keys.size());
        List<ZeroKnowledge.Secret> secrets = new ArrayList<>(ZeroKnowledge.keys(keys));
        secrets.add(ZeroKnowledge.canary(canary));
        List<String> found = new ArrayList<>();
        datagrams.forEach(datagram -> found.addAll(ZeroKnowledge.search(datagram, secrets, "a datagram at a forwarder")));
        for (FederatedClusters.Cluster cluster : clusters.all()) {
            found.addAll(ZeroKnowledge.searchCassandra(cluster.cassandra(), secrets).stream().map(where -> cluster.domain() + ": " + where).toList());
        }
        ZeroKnowledge.Secret logControl = ZeroKnowledge.canary("a logged control " + UUID.randomUUID().toString().replace("-", "") + " line");
        LoggerFactory.getLogger("org.securecomm.relay.zk-control").info("control: {}", new String(logControl.forms().get(0), StandardCharsets.UTF_8));
        byte[] relayLog = Files.readAllBytes(ZeroKnowledge.relayLog());
        found.addAll(ZeroKnowledge.search(relayLog, secrets, "the relay log"));
        assertEquals(List.of(), found);

        // the searches find what is there
        assertFalse(ZeroKnowledge.search(relayLog, List.of(logControl), "log").isEmpty(), "the log search finds a logged line");
        short[] firstFrame = new short[CallAudio.FRAME_SAMPLES];
        try (WavFileSource source = open(aliceSends)) {
            source.read(firstFrame);
        }
        byte[] frame = new OpusFrameEncoder(32_000).encode(firstFrame);
        byte[] inTheClear = ByteBuffer.allocate(40 + frame.length).put(new byte[40]).put(frame).array();
        assertEquals(1, ZeroKnowledge.holdingOpus(List.of(inTheClear), opus), "the datagram search finds an Opus frame sent in the clear");
        ZeroKnowledge.Secret username = new ZeroKnowledge.Secret("username", List.of(bobName.getBytes(StandardCharsets.UTF_8)));
        assertFalse(ZeroKnowledge.searchCassandra(clusters.cluster("b.test").cassandra(), List.of(username)).isEmpty(),
                "the Cassandra search finds a username stored in the clear");
    }

    private static WavFileSource open(Path wav) {
        try {
            return new WavFileSource(wav);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
