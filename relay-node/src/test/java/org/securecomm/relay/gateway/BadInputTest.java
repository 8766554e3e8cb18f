package org.securecomm.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.GetPreKeyBundles;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Ping;
import org.securecomm.protocol.client.v1.Register;
import org.securecomm.protocol.client.v1.RequestVerificationCode;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/**
 * Bad input of every kind gets its error code, and the same connection (and the node) keep
 * serving: a ping right after each error must succeed on the same socket.
 */
class BadInputTest {

    private static final int MAX_ENVELOPE = 4096;
    private static CapturingCodeSender codes;
    private static RelayNode node;
    private static TestDevice erin;
    private static TestDevice frank;

    @BeforeAll
    static void start() {
        codes = new CapturingCodeSender();
        node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), codes,
                Map.of("securecomm.mailbox.max-envelope-size", MAX_ENVELOPE, "securecomm.mailbox.max-envelopes", 3));
        String suffix = Long.toString(System.nanoTime(), 36);
        erin = TestDevice.register(node.clientUrl(), codes, "erin-" + suffix + "@example.org", "erin" + suffix);
        frank = TestDevice.register(node.clientUrl(), codes, "frank-" + suffix + "@example.org", "frank" + suffix);
    }

    @AfterAll
    static void stop() {
        erin.close();
        frank.close();
        node.close();
    }

    @Test
    void malformedProtobufIsAnsweredAndTheConnectionStaysUsable() throws Exception {
        RelayConnection connection = erin.connection();
        connection.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02}).join();
        assertEquals(ErrorCode.MALFORMED_FRAME, nextUnsolicited(connection).getError().getCode());
        assertStillServes(connection);
    }

    @Test
    void frameWithoutRequestIsMalformed() throws Exception {
        RelayConnection connection = erin.connection();
        connection.sendRaw(ClientMessage.newBuilder().setRequestId(77).build().toByteArray()).join();
        Response response = nextUnsolicited(connection);
        assertEquals(77, response.getRequestId());
        assertEquals(ErrorCode.MALFORMED_FRAME, response.getError().getCode());
        assertStillServes(connection);
    }

    @Test
    void textFrameIsMalformed() throws Exception {
        RelayConnection connection = erin.connection();
        connection.sendText("{\"hello\": \"relay\"}").join();
        assertEquals(ErrorCode.MALFORMED_FRAME, nextUnsolicited(connection).getError().getCode());
        assertStillServes(connection);
    }

    @Test
    void oversizedFrameIsRejectedWithoutClosingTheConnection() throws Exception {
        RelayConnection connection = erin.connection();
        connection.sendRaw(new byte[3 * 1024 * 1024]).join();
        assertEquals(ErrorCode.FRAME_TOO_LARGE, nextUnsolicited(connection).getError().getCode());
        assertStillServes(connection);
    }

    @Test
    void oversizedEnvelopeIsRejected() {
        Response response = erin.request(send(frank.address, 1, new byte[MAX_ENVELOPE + 1]));
        assertEquals(ErrorCode.ENVELOPE_TOO_LARGE, response.getError().getCode());
        assertStillServes(erin.connection());
    }

    @Test
    void unknownDestinationIsReported() {
        Response response = erin.request(send("nobody-" + System.nanoTime() + "@" + TestRelays.DOMAIN, 1, new byte[10]));
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, response.getError().getCode());
        // This relay does not federate: another cluster's addresses are refused as such.
        Response foreign = erin.request(send("someone@elsewhere.example", 1, new byte[10]));
        assertEquals(ErrorCode.FEDERATION_REFUSED, foreign.getError().getCode());
        Response foreignBundle = erin.request(ClientMessage.newBuilder().setGetPreKeyBundles(
                GetPreKeyBundles.newBuilder().setAddress("someone@elsewhere.example")));
        assertEquals(ErrorCode.FEDERATION_REFUSED, foreignBundle.getError().getCode());
        Response bundle = erin.request(ClientMessage.newBuilder().setGetPreKeyBundles(
                GetPreKeyBundles.newBuilder().setAddress("not an address")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bundle.getError().getCode());
        assertStillServes(erin.connection());
    }

    @Test
    void fullMailboxIsReportedToTheSender() {
        String suffix = Long.toString(System.nanoTime(), 36);
        TestDevice offline = TestDevice.register(node.clientUrl(), codes, "gina-" + suffix + "@example.org", "gina" + suffix);
        offline.disconnect();
        for (int i = 0; i < 3; i++) {
            erin.send(offline.address, List.of(1), new byte[] {(byte) i});
        }
        Response response = erin.request(send(offline.address, 1, new byte[] {9}));
        assertEquals(ErrorCode.MAILBOX_FULL, response.getError().getCode());
        assertStillServes(erin.connection());
    }

    @Test
    void badCredentialsFailAndTheConnectionCanRetry() {
        try (RelayConnection connection = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
            Response wrongPassword = connection.request(authenticate(frank.accountId, frank.deviceId, "not-the-password")).join();
            assertEquals(ErrorCode.AUTHENTICATION_FAILED, wrongPassword.getError().getCode());
            Response unknownAccount = connection.request(authenticate("7b7f2a4e-0000-4000-8000-000000000000", 1, "x")).join();
            assertEquals(ErrorCode.AUTHENTICATION_FAILED, unknownAccount.getError().getCode());
            Response garbageId = connection.request(authenticate("'; drop table", 1, "x")).join();
            assertEquals(ErrorCode.AUTHENTICATION_FAILED, garbageId.getError().getCode());
            Response unauthenticated = connection.request(send(frank.address, 1, new byte[1])).join();
            assertEquals(ErrorCode.NOT_AUTHENTICATED, unauthenticated.getError().getCode());

            Response right = connection.request(authenticate(frank.accountId, frank.deviceId, frank.password)).join();
            assertEquals(frank.address, right.getAuthenticated().getAddress());
            assertStillServes(connection);
        }
    }

    @Test
    void wrongVerificationCodesAreCountedAndExhausted() {
        String identifier = "+1555" + (1000000 + (System.nanoTime() % 8999999));
        try (RelayConnection connection = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
            Response noCode = connection.request(register(identifier, "123456")).join();
            assertEquals(ErrorCode.VERIFICATION_CODE_EXPIRED, noCode.getError().getCode());

            connection.call(ClientMessage.newBuilder().setRequestVerificationCode(
                    RequestVerificationCode.newBuilder().setIdentifier(identifier))).join();
            String right = codes.codeFor(identifier);
            String wrong = right.equals("000000") ? "111111" : "000000";
            assertEquals(ErrorCode.VERIFICATION_CODE_INVALID, connection.request(register(identifier, wrong)).join().getError().getCode());
            assertEquals(ErrorCode.VERIFICATION_CODE_INVALID, connection.request(register(identifier, wrong)).join().getError().getCode());
            assertEquals(ErrorCode.VERIFICATION_ATTEMPTS_EXHAUSTED, connection.request(register(identifier, wrong)).join().getError().getCode());
            // Even the right code is refused once the attempts are used up.
            assertEquals(ErrorCode.VERIFICATION_ATTEMPTS_EXHAUSTED, connection.request(register(identifier, right)).join().getError().getCode());

            Response resend = connection.request(ClientMessage.newBuilder().setRequestVerificationCode(
                    RequestVerificationCode.newBuilder().setIdentifier(identifier))).join();
            assertEquals(ErrorCode.RATE_LIMITED, resend.getError().getCode());
            assertTrue(resend.getError().getRetryAfterSeconds() > 0);

            Response invalid = connection.request(ClientMessage.newBuilder().setRequestVerificationCode(
                    RequestVerificationCode.newBuilder().setIdentifier("not an identifier"))).join();
            assertEquals(ErrorCode.INVALID_ARGUMENT, invalid.getError().getCode());
            assertStillServes(connection);
        }
    }

    @Test
    void takenUsernameIsRefused() {
        String identifier = "henry-" + System.nanoTime() + "@example.org";
        try (RelayConnection connection = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
            connection.call(ClientMessage.newBuilder().setRequestVerificationCode(
                    RequestVerificationCode.newBuilder().setIdentifier(identifier))).join();
            Response taken = connection.request(ClientMessage.newBuilder().setRegister(Register.newBuilder()
                    .setIdentifier(identifier).setVerificationCode(codes.codeFor(identifier))
                    .setUsername(erin.address.substring(0, erin.address.indexOf('@')))
                    .setRegistrationId(7).setIdentityKey(ByteString.copyFrom(new byte[33])))).join();
            assertEquals(ErrorCode.USERNAME_TAKEN, taken.getError().getCode());
        }
    }

    private static Response nextUnsolicited(RelayConnection connection) throws InterruptedException {
        Response response = connection.unsolicitedResponses().poll(10, TimeUnit.SECONDS);
        assertTrue(response != null, "the relay answered the bad frame");
        return response;
    }

    private static void assertStillServes(RelayConnection connection) {
        assertTrue(connection.isOpen());
        assertTrue(connection.call(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance())).join().getPong().getServerTimeMillis() > 0);
        // And the node serves other connections too.
        try (RelayConnection other = RelayConnection.connect(URI.create(node.clientUrl()), null, push -> { }, Duration.ofSeconds(10))) {
            assertTrue(other.call(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance())).join().hasPong());
        }
    }

    private static ClientMessage.Builder send(String destination, int device, byte[] content) {
        return ClientMessage.newBuilder().setSendEnvelopes(SendEnvelopes.newBuilder().setDestination(destination)
                .addEnvelopes(OutgoingEnvelope.newBuilder().setDeviceId(device).setContent(ByteString.copyFrom(content))));
    }

    private static ClientMessage.Builder authenticate(String accountId, int deviceId, String password) {
        return ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                .setAccountId(accountId).setDeviceId(deviceId).setPassword(password));
    }

    private static ClientMessage.Builder register(String identifier, String code) {
        return ClientMessage.newBuilder().setRegister(Register.newBuilder().setIdentifier(identifier).setVerificationCode(code)
                .setUsername("ivy" + System.nanoTime() % 100000).setRegistrationId(42).setIdentityKey(ByteString.copyFrom(new byte[33])));
    }
}
