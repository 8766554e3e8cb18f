package org.securecomm.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.AnswerCall;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.EndCall;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.StartCall;
import org.securecomm.relay.support.ClusterNodeProcess;
import org.securecomm.relay.support.MediaSocket;
import org.securecomm.relay.support.RelayClusterProcesses;
import org.securecomm.relay.support.TestDevice;

/** Three relay node processes on one Cassandra: devices on different nodes message and call each other. */
class ThreeNodeClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RelayClusterProcesses cluster;

    @BeforeAll
    static void start() {
        cluster = RelayClusterProcesses.start("three", 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static TestDevice register(String name, int node) {
        return TestDevice.register(cluster.node(node).url(), RelayClusterProcesses.codes(), RelayClusterProcesses.identifier(name),
                name + Long.toString(System.nanoTime(), 36));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void devicesOnDifferentNodesMessageEachOther() {
        try (TestDevice alice = register("alice", 1); TestDevice bob = register("bob", 2)) {
            UUID toBob = alice.send(bob.address, List.of(1), bytes("hello bob")).get(0);
            Envelope atBob = bob.nextEnvelope(WAIT);
            assertEquals(toBob, EnvelopeIds.fromBytes(atBob.getId()));
            assertEquals(alice.address, atBob.getSourceAddress());
            assertArrayEquals(bytes("hello bob"), atBob.getContent().toByteArray());
            bob.acknowledge(atBob);

            UUID toAlice = bob.send(alice.address, List.of(1), bytes("hello alice")).get(0);
            Envelope atAlice = alice.nextEnvelope(WAIT);
            assertEquals(toAlice, EnvelopeIds.fromBytes(atAlice.getId()));
            assertArrayEquals(bytes("hello alice"), atAlice.getContent().toByteArray());
            alice.acknowledge(atAlice);
        }
    }

    @Test
    void fanOutReachesDevicesOfOneAccountOnTwoOtherNodes() {
        try (TestDevice alice = register("anna", 1); TestDevice carolPhone = register("carol", 2);
             TestDevice carolLaptop = carolPhone.addDevice(cluster.node(3).url())) {
            List<UUID> ids = alice.send(carolPhone.address, List.of(carolPhone.deviceId, carolLaptop.deviceId), bytes("to both"));
            Envelope atPhone = carolPhone.nextEnvelope(WAIT);
            Envelope atLaptop = carolLaptop.nextEnvelope(WAIT);
            assertEquals(ids.get(0), EnvelopeIds.fromBytes(atPhone.getId()));
            assertEquals(ids.get(1), EnvelopeIds.fromBytes(atLaptop.getId()));
            assertArrayEquals(bytes("to both"), atPhone.getContent().toByteArray());
            assertArrayEquals(bytes("to both"), atLaptop.getContent().toByteArray());
            carolPhone.acknowledge(atPhone);
            carolLaptop.acknowledge(atLaptop);
        }
    }

    @Test
    void anOfflineRecipientGetsItsEnvelopesOnAnotherNode() throws InterruptedException {
        try (TestDevice alice = register("amy", 1); TestDevice dave = register("dave", 3)) {
            dave.disconnect();
            List<UUID> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sent.add(alice.send(dave.address, List.of(1), bytes("while away " + i)).get(0));
            }
            dave.connect(cluster.node(2).url());
            List<UUID> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Envelope envelope = dave.nextEnvelope(WAIT);
                assertArrayEquals(bytes("while away " + i), envelope.getContent().toByteArray());
                got.add(EnvelopeIds.fromBytes(envelope.getId()));
                dave.acknowledge(envelope);
            }
            assertEquals(sent, got);
            dave.await(Push::hasQueueEmpty, WAIT);
        }
    }

    @Test
    void aDeviceOnNodeOneCallsADeviceOnNodeThreeThroughTheForwarderOfTheNodeHoldingTheCall() throws InterruptedException {
        try (TestDevice alice = register("alma", 1); TestDevice bob = register("boris", 3)) {
            var started = alice.call(ClientMessage.newBuilder().setStartCall(StartCall.newBuilder().addCallees(bob.address)))
                    .getCallStarted();
            Push ring = bob.await(Push::hasIncomingCall, WAIT);
            assertEquals(started.getCallId(), ring.getIncomingCall().getCallId());
            assertEquals(alice.address, ring.getIncomingCall().getCallerAddress());
            MediaRoute bobRoute = bob.call(ClientMessage.newBuilder().setAnswerCall(AnswerCall.newBuilder()
                    .setCallId(started.getCallId()))).getCallJoined().getMedia();
            Push answered = alice.await(p -> p.hasCallParticipants() && p.getCallParticipants().getParticipantsCount() == 2, WAIT);
            assertEquals(started.getCallId(), answered.getCallParticipants().getCallId());

            MediaRoute aliceRoute = started.getMedia();
            assertEquals(aliceRoute.getRoomId(), bobRoute.getRoomId());
            assertEquals(aliceRoute.getPort(), bobRoute.getPort(), "one room, at one forwarder");
            ClusterNodeProcess host = cluster.nodes().stream().filter(n -> n.mediaPort == aliceRoute.getPort()).findFirst()
                    .orElseThrow(() -> new AssertionError("the route names no node's forwarder: port " + aliceRoute.getPort()));
            double[] before = cluster.nodes().stream().mapToDouble(n -> n.metric("securecomm_media_packets_in_total")).toArray();

            int sent = 0;
            try (MediaSocket aliceMedia = socket(aliceRoute); MediaSocket bobMedia = socket(bobRoute)) {
                assertTrue(aliceMedia.keepaliveEchoed(WAIT));
                assertTrue(bobMedia.keepaliveEchoed(WAIT));
                sent += 2;
                for (int seq = 1; seq <= 5; seq++) {
                    byte[] fromAlice = media(1, seq);
                    aliceMedia.sendMedia(fromAlice);
                    assertArrayEquals(fromAlice, bobMedia.receiveMedia(WAIT));
                    byte[] fromBob = media(2, seq);
                    bobMedia.sendMedia(fromBob);
                    assertArrayEquals(fromBob, aliceMedia.receiveMedia(WAIT));
                    sent += 2;
                }
            }
            for (ClusterNodeProcess node : cluster.nodes()) {
                double in = node.metric("securecomm_media_packets_in_total") - before[node.index - 1];
                if (node == host) {
                    assertTrue(in >= sent, "the hosting node " + node.index + " received " + in + " of " + sent + " datagrams");
                } else {
                    assertEquals(0, in, "node " + node.index + " forwarded none of this call's media");
                }
            }

            alice.call(ClientMessage.newBuilder().setEndCall(EndCall.newBuilder().setCallId(started.getCallId())));
            bob.await(p -> p.hasCallEnded() && p.getCallEnded().getCallId().equals(started.getCallId()), WAIT);
        }
    }

    private static MediaSocket socket(MediaRoute route) {
        return new MediaSocket(route.getHost(), route.getPort(), MediaDatagrams.idOf(route.getRoomId().toByteArray()),
                MediaDatagrams.idOf(route.getToken().toByteArray()));
    }

    private static byte[] media(int sourceId, int seq) {
        byte[] payload = TestDevice.randomBytes(120);
        System.arraycopy(MediaDatagrams.payloadHeader(sourceId, MediaDatagrams.KIND_AUDIO, seq), 0, payload, 0,
                MediaDatagrams.PAYLOAD_HEADER);
        return payload;
    }
}
