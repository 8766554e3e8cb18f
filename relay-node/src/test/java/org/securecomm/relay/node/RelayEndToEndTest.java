package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.Identifiers;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.DiscoverContacts;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.GetPreKeyBundles;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/**
 * The relay as devices use it, through real WebSockets against real Cassandra: registration, key
 * upload, bundle claims, offline delivery that survives a restart of both the node and Cassandra,
 * acknowledgement, and the envelope gone after the next restart.
 */
class RelayEndToEndTest {

    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(15);

    @Test
    void envelopesSurviveRestartsAndLeaveOnceAcknowledged() throws Exception {
        CassandraNode cassandra = SharedCassandra.startFresh("e2e");
        Path cassandraDir = cassandra.dataDir();
        String identifierKey = TestRelays.newIdentifierKey();
        CapturingCodeSender codes = new CapturingCodeSender();
        RelayNode node = TestRelays.start(cassandra, identifierKey, codes, Map.of());
        try {
            String url = node.clientUrl();
            TestDevice alice = TestDevice.register(url, codes, "alice-e2e@example.org", "alice");
            TestDevice bob = TestDevice.register(url, codes, "+15551230001", "bob");
            assertEquals("alice@" + TestRelays.DOMAIN, alice.address);
            assertEquals(1, bob.deviceId);
            assertEquals(10, alice.uploadKeys(100, 10).getKeysUploaded().getKeyStock().getOneTimePreKeys());
            bob.uploadKeys(200, 10);

            // Concurrent bundle fetches: every one-time key is handed out once.
            List<CompletableFuture<Response>> fetches = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                fetches.add(bob.connection().call(ClientMessage.newBuilder()
                        .setGetPreKeyBundles(GetPreKeyBundles.newBuilder().setAddress(alice.address))));
            }
            Set<Integer> claimedEc = new HashSet<>();
            Set<Integer> claimedKyber = new HashSet<>();
            int withoutOneTime = 0;
            for (CompletableFuture<Response> fetch : fetches) {
                var bundles = fetch.join().getPreKeyBundles();
                assertArrayEquals(alice.identityKey, bundles.getIdentityKey().toByteArray());
                DevicePreKeyBundle bundle = bundles.getDevices(0);
                assertEquals(alice.registrationId, bundle.getRegistrationId());
                if (bundle.hasOneTimePreKey()) {
                    assertTrue(claimedEc.add(bundle.getOneTimePreKey().getKeyId()), "one-time key handed out twice");
                    assertTrue(claimedKyber.add(bundle.getKyberPreKey().getKeyId()), "Kyber key handed out twice");
                } else {
                    withoutOneTime++;
                    assertEquals(1_000_000, bundle.getKyberPreKey().getKeyId(), "falls back to the last-resort Kyber key");
                }
            }
            assertEquals(10, claimedEc.size());
            assertEquals(2, withoutOneTime);
            assertTrue(receivesKeyStockLow(alice), "alice is told that her one-time keys ran low");

            // Bob is offline; alice sends him an envelope.
            bob.disconnect();
            byte[] content = TestDevice.randomBytes(1000);
            UUID id = alice.send(bob.address, List.of(1), content).get(0);
            alice.close();

            node.close();
            cassandra.close();
            assertFalse(cassandra.isAlive());
            cassandra = SharedCassandra.startOn(cassandraDir);
            node = TestRelays.start(cassandra, identifierKey, codes, Map.of());
            url = node.clientUrl();

            // Bob reconnects to the restarted node: the envelope is still there.
            bob.connect(url);
            Envelope envelope = bob.nextEnvelope(PUSH_TIMEOUT);
            assertEquals(id, EnvelopeIds.fromBytes(envelope.getId()));
            assertArrayEquals(content, envelope.getContent().toByteArray());
            assertEquals(alice.address, envelope.getSourceAddress());
            assertTrue(envelope.getServerTimestamp() > 0);

            // Not acknowledged: a reconnect pushes it again (at-least-once).
            bob.connect(url);
            assertEquals(id, EnvelopeIds.fromBytes(bob.nextEnvelope(PUSH_TIMEOUT).getId()));
            bob.acknowledge(envelope);
            bob.close();

            node.close();
            node = TestRelays.start(cassandra, identifierKey, codes, Map.of());
            bob.connect(node.clientUrl());
            Push push = bob.nextPush(PUSH_TIMEOUT);
            assertTrue(push != null && push.hasQueueEmpty(), "after the restart only QueueEmpty arrives, not the acknowledged envelope: " + push);
            assertNull(bob.nextPush(Duration.ofMillis(500)));
            bob.close();
        } finally {
            node.close();
            cassandra.close();
        }
    }

    @Test
    void deliversToEveryDeviceAndReportsDeviceMismatch() throws Exception {
        CapturingCodeSender codes = new CapturingCodeSender();
        try (RelayNode node = TestRelays.start(SharedCassandra.get(), codes)) {
            String url = node.clientUrl();
            String suffix = Long.toString(System.nanoTime(), 36);
            TestDevice carol = TestDevice.register(url, codes, "carol-" + suffix + "@example.org", "carol" + suffix);
            TestDevice dave = TestDevice.register(url, codes, "dave-" + suffix + "@example.org", "dave" + suffix);
            TestDevice daveLaptop = dave.addDevice(url);
            assertNotEquals(dave.deviceId, daveLaptop.deviceId);

            // Contact discovery answers only the hashes that belong to accounts.
            byte[] daveHash = Identifiers.clientHash(Identifiers.normalize("dave-" + suffix + "@example.org"));
            byte[] strangerHash = Identifiers.clientHash("nobody-" + suffix + "@example.org");
            var matches = carol.call(ClientMessage.newBuilder().setDiscoverContacts(DiscoverContacts.newBuilder()
                    .addIdentifierHashes(ByteString.copyFrom(strangerHash))
                    .addIdentifierHashes(ByteString.copyFrom(daveHash)))).getContactMatches().getMatchesList();
            assertEquals(1, matches.size());
            assertEquals(dave.address, matches.get(0).getAddress());
            assertArrayEquals(daveHash, matches.get(0).getIdentifierHash().toByteArray());

            // Carol still believes dave has one device: the relay lists what is missing.
            Response mismatch = carol.request(ClientMessage.newBuilder().setSendEnvelopes(
                    org.securecomm.protocol.client.v1.SendEnvelopes.newBuilder().setDestination(dave.address)
                            .addEnvelopes(org.securecomm.protocol.client.v1.OutgoingEnvelope.newBuilder()
                                    .setDeviceId(1).setContent(com.google.protobuf.ByteString.copyFromUtf8("x")))));
            assertEquals(org.securecomm.protocol.client.v1.ErrorCode.MISMATCHED_DEVICES, mismatch.getError().getCode());
            assertEquals(List.of(daveLaptop.deviceId), mismatch.getError().getMismatchedDevices().getMissingDevicesList());

            byte[] content = TestDevice.randomBytes(64);
            List<UUID> ids = carol.send(dave.address, List.of(dave.deviceId, daveLaptop.deviceId), content);
            assertArrayEquals(content, dave.nextEnvelope(PUSH_TIMEOUT).getContent().toByteArray());
            assertArrayEquals(content, daveLaptop.nextEnvelope(PUSH_TIMEOUT).getContent().toByteArray());
            assertEquals(2, new HashSet<>(ids).size());

            // A note to self reaches the sender's other devices.
            dave.send(dave.address, List.of(daveLaptop.deviceId), content);
            assertEquals(dave.address, daveLaptop.nextEnvelope(PUSH_TIMEOUT).getSourceAddress());

            // Message and sync transcript in one request: the recipient's devices and the sender's other device.
            var message = org.securecomm.protocol.client.v1.OutgoingEnvelope.newBuilder().setContent(ByteString.copyFromUtf8("to carol"));
            var request = org.securecomm.protocol.client.v1.SendEnvelopes.newBuilder().setDestination(carol.address)
                    .addEnvelopes(message.clone().setDeviceId(carol.deviceId));
            Response ownWrong = daveLaptop.request(ClientMessage.newBuilder().setSendEnvelopes(request.clone()
                    .addOwnDeviceEnvelopes(message.clone().setDeviceId(99))));
            assertEquals(List.of(dave.deviceId), ownWrong.getError().getOwnMismatchedDevices().getMissingDevicesList(),
                    "own copies go to exactly the sender's other devices");
            assertEquals(List.of(99), ownWrong.getError().getOwnMismatchedDevices().getExtraDevicesList());
            assertEquals(0, ownWrong.getError().getMismatchedDevices().getMissingDevicesCount(), "the recipient's side was right");
            var accepted = daveLaptop.call(ClientMessage.newBuilder().setSendEnvelopes(request.clone().addOwnDeviceEnvelopes(
                    message.clone().setDeviceId(dave.deviceId).setContent(ByteString.copyFromUtf8("sent to carol")))))
                    .getEnvelopesAccepted();
            assertEquals(1, accepted.getEnvelopeIdsCount());
            assertEquals(1, accepted.getOwnDeviceEnvelopeIdsCount());
            assertEquals("to carol", carol.nextEnvelope(PUSH_TIMEOUT).getContent().toStringUtf8());
            assertEquals("sent to carol", dave.nextEnvelope(PUSH_TIMEOUT).getContent().toStringUtf8());

            // A send retried with the same message id (after a timeout, say) is stored once.
            var retried = request.clone().setMessageId(ByteString.copyFrom(TestDevice.randomBytes(16)));
            var first = daveLaptop.call(ClientMessage.newBuilder().setSendEnvelopes(retried.clone())).getEnvelopesAccepted();
            var again = daveLaptop.call(ClientMessage.newBuilder().setSendEnvelopes(retried.clone())).getEnvelopesAccepted();
            assertEquals(first.getEnvelopeIdsList(), again.getEnvelopeIdsList());
            Envelope once = carol.nextEnvelope(PUSH_TIMEOUT);
            assertEquals(first.getEnvelopeIds(0), once.getId());
            for (Push push = carol.nextPush(Duration.ofSeconds(1)); push != null; push = carol.nextPush(Duration.ofSeconds(1))) {
                assertFalse(push.hasEnvelope(), "the retry was delivered again");
            }
            carol.close();
            dave.close();
            daveLaptop.close();
        }
    }

    private static boolean receivesKeyStockLow(TestDevice device) throws InterruptedException {
        long deadline = System.nanoTime() + PUSH_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Push push = device.nextPush(Duration.ofMillis(200));
            if (push != null && push.hasPreKeyStockLow()) {
                return push.getPreKeyStockLow().getKeyStock().getOneTimePreKeys() < 10;
            }
        }
        return false;
    }
}
