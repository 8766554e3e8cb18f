package org.securecomm.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.Identifiers;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** The admin listener of a real node (real Cassandra, real sockets), called over HTTP with and without its token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminServerTest {

    private final CapturingCodeSender codes = new CapturingCodeSender();
    private final String token = AdminToken.generate();
    private final String suffix = Long.toString(System.nanoTime(), 36);
    private RelayNode node;
    private AdminHttp admin;

    @BeforeAll
    void start() {
        node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), codes,
                Map.of("securecomm.admin.port", 0, "securecomm.admin.token", token));
        admin = new AdminHttp(AdminServer.of(node.system()).url(), token);
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private TestDevice register(String name) {
        return TestDevice.register(node.clientUrl(), codes, name + "-" + suffix + "@example.org", name + suffix);
    }

    private String address(String name) {
        return name + suffix + "@" + TestRelays.DOMAIN;
    }

    @Test
    void requestsWithoutTheRightTokenAre401() throws Exception {
        for (AdminHttp caller : List.of(admin.withToken(null), admin.withToken("wrong-" + token), admin.withToken(""))) {
            AdminHttp.Reply reply = caller.get("/v1/members");
            assertEquals(401, reply.status(), reply.body());
            assertEquals("unauthorized", reply.json().get("error").asText());
            assertTrue(reply.json().get("message").asText().contains("Bearer"), reply.body());
        }
        // Nothing is revealed about which endpoints exist, nor done.
        assertEquals(401, admin.withToken(null).get("/v1/no-such-thing").status());
        assertEquals(401, admin.withToken("x").post("/v1/drain", "{}").status());
        assertEquals(200, admin.get("/v1/members").status());
        assertEquals(404, admin.get("/v1/no-such-thing").status());
    }

    @Test
    void membersListsThisNodeUp() throws Exception {
        AdminHttp.Reply reply = admin.get("/v1/members");
        assertEquals(200, reply.status(), reply.body());
        JsonNode members = reply.json().get("members");
        assertEquals(1, members.size(), reply.body());
        JsonNode self = members.get(0);
        assertEquals("Up", self.get("status").asText());
        assertTrue(self.get("self").asBoolean() && self.get("leader").asBoolean() && self.get("oldest").asBoolean(), reply.body());
        assertTrue(self.get("reachable").asBoolean());
        assertEquals("default", self.get("dataCenter").asText());
        assertEquals(node.system().address().toString(), self.get("address").asText());
        assertEquals(self.get("address").asText(), reply.json().get("self").asText());
    }

    @Test
    void shardsCountEntitiesPerNodeAndType() throws Exception {
        try (TestDevice grace = register("grace")) {
            AdminHttp.Reply reply = admin.get("/v1/shards");
            assertEquals(200, reply.status(), reply.body());
            JsonNode account = type(reply.json(), "Account");
            assertTrue(account.get("entities").asInt() >= 1, reply.body());
            assertTrue(account.get("shards").asInt() >= 1, reply.body());
            assertEquals(node.system().address().toString(), account.get("regions").get(0).get("node").asText());
            JsonNode sessions = type(reply.json(), "UserSession");
            assertTrue(sessions.get("entities").asInt() >= 1, "grace is connected: " + reply.body());
            for (String expected : List.of("IdentifierRegistration", "Username", "Mailbox", "ProvisioningChannel", "CallRoom")) {
                assertNotNull(type(reply.json(), expected), expected);
            }
        }
    }

    private static JsonNode type(JsonNode shards, String name) {
        for (JsonNode type : shards.get("types")) {
            if (type.get("type").asText().equals(name)) {
                return type;
            }
        }
        return null;
    }

    @Test
    void mailboxShowsWhatWaitsForAnOfflineDevice() throws Exception {
        try (TestDevice heidi = register("heidi"); TestDevice ivan = register("ivan")) {
            ivan.disconnect();
            for (int i = 0; i < 3; i++) {
                heidi.send(ivan.address, List.of(ivan.deviceId), new byte[100 + i]);
            }
            AdminHttp.Reply reply = admin.get("/v1/mailbox?address=" + ivan.address);
            assertEquals(200, reply.status(), reply.body());
            assertEquals(ivan.accountId, reply.json().get("accountId").asText());
            assertFalse(reply.json().get("disabled").asBoolean());
            JsonNode device = reply.json().get("devices").get(0);
            assertEquals(ivan.deviceId, device.get("deviceId").asInt());
            assertEquals(3, device.get("envelopes").asInt(), reply.body());
            assertEquals(303, device.get("bytes").asLong(), reply.body());
            assertTrue(device.get("oldestEnvelopeAgeSeconds").asDouble() >= 0, reply.body());

            AdminHttp.Reply stats = admin.get("/v1/mailbox-stats");
            assertEquals(200, stats.status(), stats.body());
            assertTrue(stats.json().get("mailboxes").asInt() >= 1, stats.body());
            assertTrue(stats.json().get("envelopes").asLong() >= 3, stats.body());
            assertEquals(node.system().address().toString(), stats.json().get("node").asText());
        }
    }

    @Test
    void disableRefusesAuthenticationAndClosesTheConnectionEnableRestoresIt() throws Exception {
        BlockingQueue<Push> pushes = new LinkedBlockingQueue<>();
        try (TestDevice judy = register("judy")) {
            judy.disconnect();
            try (RelayConnection open = RelayConnection.connect(URI.create(node.clientUrl()), null, pushes::add, Duration.ofSeconds(10))) {
                assertTrue(authenticate(open, judy).hasAuthenticated());
                AdminHttp.Reply disabled = admin.post("/v1/accounts/disable", "{\"address\": \"" + judy.address + "\"}");
                assertEquals(200, disabled.status(), disabled.body());
                assertEquals(judy.accountId, disabled.json().get("accountId").asText());
                assertTrue(disabled.json().get("changed").asBoolean());
                Push closing = pushes.poll(20, java.util.concurrent.TimeUnit.SECONDS);
                while (closing != null && !closing.hasClosing()) {
                    closing = pushes.poll(20, java.util.concurrent.TimeUnit.SECONDS);
                }
                assertNotNull(closing, "the open connection got no Closing push");
                assertTrue(closing.getClosing().getReason().contains("disabled"), closing.getClosing().getReason());
                open.closed().get(20, java.util.concurrent.TimeUnit.SECONDS);
            }
            try (RelayConnection again = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
                Response refused = authenticate(again, judy);
                assertEquals(ErrorCode.ACCOUNT_DISABLED, refused.getError().getCode(), refused.toString());
            }
            AdminHttp.Reply status = admin.get("/v1/mailbox?address=" + judy.address);
            assertTrue(status.json().get("disabled").asBoolean(), status.body());
            AdminHttp.Reply twice = admin.post("/v1/accounts/disable", "{\"address\": \"" + judy.address + "\"}");
            assertFalse(twice.json().get("changed").asBoolean(), twice.body());

            AdminHttp.Reply enabled = admin.post("/v1/accounts/enable", "{\"address\": \"" + judy.address + "\"}");
            assertEquals(200, enabled.status(), enabled.body());
            assertTrue(enabled.json().get("changed").asBoolean());
            assertTrue(judy.connect(node.clientUrl()) != null);
        }
    }

    private static Response authenticate(RelayConnection connection, TestDevice device) {
        return connection.request(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                .setAccountId(device.accountId).setDeviceId(device.deviceId).setPassword(device.password))).join();
    }

    @Test
    void deleteByAddressFreesTheUsernameAndEmptiesTheMailbox() throws Exception {
        String username = "karl" + suffix;
        String accountId;
        try (TestDevice karl = register("karl"); TestDevice liam = register("liam")) {
            accountId = karl.accountId;
            karl.disconnect();
            liam.send(karl.address, List.of(karl.deviceId), new byte[64]);
            liam.send(karl.address, List.of(karl.deviceId), new byte[64]);
            AdminHttp.Reply deleted = admin.post("/v1/accounts/delete", "{\"address\": \"" + karl.address + "\"}");
            assertEquals(200, deleted.status(), deleted.body());
            assertEquals(karl.accountId, deleted.json().get("accountId").asText());
            assertEquals(2, deleted.json().get("envelopesRemoved").asInt(), deleted.body());
            assertTrue(deleted.json().get("usernameReleased").asBoolean(), deleted.body());
            assertEquals(List.of(1), List.of(deleted.json().get("devices").get(0).asInt()));

            assertEquals(404, admin.get("/v1/mailbox?address=" + karl.address).status());
            assertEquals(404, admin.post("/v1/accounts/delete", "{\"address\": \"" + karl.address + "\"}").status());
            try (RelayConnection old = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
                assertEquals(ErrorCode.AUTHENTICATION_FAILED, authenticate(old, karl).getError().getCode());
            }
            // A message to the deleted address is refused like any unknown account (the address cache was dropped).
            Response refused = liam.request(ClientMessage.newBuilder().setSendEnvelopes(
                    org.securecomm.protocol.client.v1.SendEnvelopes.newBuilder().setDestination(karl.address)
                            .setClientTimestamp(System.currentTimeMillis())
                            .addEnvelopes(org.securecomm.protocol.client.v1.OutgoingEnvelope.newBuilder().setDeviceId(1)
                                    .setContent(com.google.protobuf.ByteString.copyFromUtf8("x")))));
            assertEquals(ErrorCode.UNKNOWN_ACCOUNT, refused.getError().getCode(), refused.toString());
        }
        // Someone else (another identifier) can take the username now, as a new account.
        try (TestDevice newKarl = TestDevice.register(node.clientUrl(), codes, "karl2-" + suffix + "@example.org", username)) {
            assertEquals(address("karl"), newKarl.address);
            assertNotEquals(accountId, newKarl.accountId);
            AdminHttp.Reply mailbox = admin.get("/v1/mailbox?address=" + newKarl.address);
            assertEquals(0, mailbox.json().get("devices").get(0).get("envelopes").asInt(), mailbox.body());
        }
        // The deleted account's identifier registers again too (a fresh account: one device, nothing queued).
        try (TestDevice returning = TestDevice.register(node.clientUrl(), codes, "karl-" + suffix + "@example.org", "karl3" + suffix)) {
            AdminHttp.Reply mailbox = admin.get("/v1/mailbox?address=" + returning.address);
            assertEquals(200, mailbox.status(), mailbox.body());
            assertEquals(1, mailbox.json().get("devices").size(), mailbox.body());
            assertEquals(0, mailbox.json().get("devices").get(0).get("envelopes").asInt(), mailbox.body());
        }
    }

    @Test
    void deleteByIdentifierHashFreesTheIdentifier() throws Exception {
        String identifier = "mona-" + suffix + "@example.org";
        String hash = HexFormat.of().formatHex(Identifiers.clientHash(Identifiers.normalize(identifier)));
        String accountId;
        try (TestDevice mona = TestDevice.register(node.clientUrl(), codes, identifier, "mona" + suffix)) {
            accountId = mona.accountId;
            AdminHttp.Reply deleted = admin.post("/v1/accounts/delete", "{\"identifierHash\": \"" + hash + "\"}");
            assertEquals(200, deleted.status(), deleted.body());
            assertEquals(mona.accountId, deleted.json().get("accountId").asText());
            assertTrue(deleted.json().get("identifierReleased").asBoolean(), deleted.body());
            assertTrue(deleted.json().get("usernameReleased").asBoolean(), deleted.body());
        }
        assertEquals(404, admin.post("/v1/accounts/disable", "{\"identifierHash\": \"" + hash + "\"}").status());
        try (TestDevice again = TestDevice.register(node.clientUrl(), codes, identifier, "mona" + suffix)) {
            assertNotEquals(accountId, again.accountId);
        }
    }

    @Test
    void unknownAccountsAndMembersAre404() throws Exception {
        String nobody = "nobody" + suffix + "@" + TestRelays.DOMAIN;
        for (AdminHttp.Reply reply : List.of(
                admin.get("/v1/mailbox?address=" + nobody),
                admin.post("/v1/accounts/disable", "{\"address\": \"" + nobody + "\"}"),
                admin.post("/v1/accounts/delete", "{\"address\": \"" + nobody + "\"}"),
                admin.post("/v1/accounts/enable", "{\"identifierHash\": \"" + "ab".repeat(32) + "\"}"),
                admin.post("/v1/drain", "{\"node\": \"pekko://securecomm@127.0.0.1:1\"}"))) {
            assertEquals(404, reply.status(), reply.body());
            assertEquals("not_found", reply.json().get("error").asText());
        }
    }

    @Test
    void malformedInputIs400WithAClearMessage() throws Exception {
        List<String[]> cases = List.of(
                new String[] {"/v1/accounts/disable", "{not json", "not JSON"},
                new String[] {"/v1/accounts/disable", "[1, 2]", "JSON object"},
                new String[] {"/v1/accounts/disable", "{\"address\": 5}", "must be a string"},
                new String[] {"/v1/accounts/disable", "{\"username\": \"x\"}", "unknown field"},
                new String[] {"/v1/accounts/disable", "{}", "\"address\" or by \"identifierHash\""},
                new String[] {"/v1/accounts/disable", "{\"address\": \"a@relay.test\", \"identifierHash\": \"00\"}", "\"address\" or by"},
                new String[] {"/v1/accounts/delete", "{\"address\": \"no-at-sign\"}", "not an address"},
                new String[] {"/v1/accounts/delete", "{\"address\": \"someone@other.example\"}", "not an address of this relay"},
                new String[] {"/v1/accounts/enable", "{\"identifierHash\": \"xyz\"}", "hex digits"},
                new String[] {"/v1/drain", "{\"node\": \"not an address\"}", "not a member address"});
        for (String[] c : cases) {
            AdminHttp.Reply reply = admin.post(c[0], c[1]);
            assertEquals(400, reply.status(), c[1] + " -> " + reply.body());
            assertEquals("bad_request", reply.json().get("error").asText());
            assertTrue(reply.json().get("message").asText().contains(c[2]), c[1] + " -> " + reply.body());
        }
        AdminHttp.Reply missing = admin.get("/v1/mailbox");
        assertEquals(400, missing.status(), missing.body());
        assertTrue(missing.json().get("message").asText().contains("address"), missing.body());
        // The node still answers.
        assertEquals(200, admin.get("/v1/members").status());
    }

    @Test
    void peersSaysFederationIsOff() throws Exception {
        AdminHttp.Reply reply = admin.get("/v1/peers");
        assertEquals(200, reply.status(), reply.body());
        assertFalse(reply.json().get("federation").asBoolean());
        assertTrue(reply.json().get("message").asText().contains("federation is off"), reply.body());
        assertEquals(0, reply.json().get("peers").size());
    }

    @Test
    void aTakenAdminPortLeavesTheNodeServingClientsWithoutIt() throws Exception {
        int taken = AdminServer.of(node.system()).port();
        CapturingCodeSender secondCodes = new CapturingCodeSender();
        try (RelayNode second = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), secondCodes,
                Map.of("securecomm.admin.port", taken, "securecomm.admin.token", token))) {
            assertNull(AdminServer.of(second.system()), "no listener: the port was taken");
            try (TestDevice olga = TestDevice.register(second.clientUrl(), secondCodes, "olga-" + suffix + "@example.org", "olga" + suffix)) {
                assertTrue(olga.connection().isOpen());
            }
        }
        assertEquals(200, admin.get("/v1/members").status(), "the first node's listener is untouched");
    }

    @Test
    void aNonLoopbackInterfaceWithoutAllowRemoteRefusesToStart() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestRelays.start(SharedCassandra.get(),
                TestRelays.newIdentifierKey(), new CapturingCodeSender(),
                Map.of("securecomm.admin.port", 0, "securecomm.admin.interface", "0.0.0.0")));
        assertTrue(refused.getMessage().contains("securecomm.admin.interface is 0.0.0.0, not a loopback address"), refused.getMessage());
        assertTrue(refused.getMessage().contains("allow-remote = on"), refused.getMessage());
    }
}
