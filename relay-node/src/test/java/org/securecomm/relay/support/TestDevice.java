package org.securecomm.relay.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.Authenticated;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.EcPreKey;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Register;
import org.securecomm.protocol.client.v1.Registered;
import org.securecomm.protocol.client.v1.RequestVerificationCode;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.securecomm.protocol.client.v1.SignedPreKey;
import org.securecomm.protocol.client.v1.UploadKeys;

/**
 * A device as the tests drive it: real WebSocket, real protocol, opaque envelope contents (the
 * client SDK issue makes them libsignal ciphertext).
 */
public final class TestDevice implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    public final String accountId;
    public final String address;
    public final int deviceId;
    public final String password;
    public final byte[] identityKey;
    public final int registrationId;
    private final BlockingQueue<Push> pushes = new LinkedBlockingQueue<>();
    private RelayConnection connection;

    private TestDevice(String accountId, String address, int deviceId, String password, byte[] identityKey, int registrationId) {
        this.accountId = accountId;
        this.address = address;
        this.deviceId = deviceId;
        this.password = password;
        this.identityKey = identityKey;
        this.registrationId = registrationId;
    }

    /** Registers a new account (code read from {@code codes}) and connects its primary device. */
    public static TestDevice register(String url, CodeSource codes, String identifier, String username) {
        byte[] identityKey = randomBytes(33);
        int registrationId = 1 + RANDOM.nextInt(16000);
        try (RelayConnection anonymous = RelayConnection.connect(URI.create(url), push -> { })) {
            anonymous.call(ClientMessage.newBuilder().setRequestVerificationCode(
                    RequestVerificationCode.newBuilder().setIdentifier(identifier))).join();
            Registered registered = anonymous.call(ClientMessage.newBuilder().setRegister(Register.newBuilder()
                    .setIdentifier(identifier)
                    .setVerificationCode(codes.codeFor(identifier))
                    .setUsername(username)
                    .setRegistrationId(registrationId)
                    .setIdentityKey(ByteString.copyFrom(identityKey)))).join().getRegistered();
            TestDevice device = new TestDevice(registered.getAccountId(), registered.getAddress(), registered.getDeviceId(),
                    registered.getPassword(), identityKey, registrationId);
            device.connect(url);
            return device;
        }
    }

    /** Adds a linked device to this account and connects it. */
    public TestDevice addDevice(String url) {
        int newRegistrationId = 1 + RANDOM.nextInt(16000);
        var added = call(ClientMessage.newBuilder().setAddDevice(
                org.securecomm.protocol.client.v1.AddDevice.newBuilder().setRegistrationId(newRegistrationId))).getDeviceAdded();
        TestDevice device = new TestDevice(accountId, address, added.getDeviceId(), added.getPassword(), identityKey, newRegistrationId);
        device.connect(url);
        return device;
    }

    public Authenticated connect(String url) {
        disconnect();
        pushes.clear();
        connection = RelayConnection.connect(URI.create(url), null, pushes::add, Duration.ofSeconds(20));
        return call(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                .setAccountId(accountId).setDeviceId(deviceId).setPassword(password))).getAuthenticated();
    }

    public void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    public RelayConnection connection() {
        return connection;
    }

    public Response call(ClientMessage.Builder request) {
        return connection.call(request).join();
    }

    public Response request(ClientMessage.Builder request) {
        return connection.request(request).join();
    }

    /** Uploads a signed prekey, a last-resort Kyber key and {@code count} one-time keys of each kind. */
    public Response uploadKeys(int firstKeyId, int count) {
        UploadKeys.Builder upload = UploadKeys.newBuilder()
                .setIdentityKey(ByteString.copyFrom(identityKey))
                .setSignedPreKey(signed(1))
                .setLastResortKyberPreKey(signed(1_000_000));
        for (int i = 0; i < count; i++) {
            upload.addOneTimePreKeys(EcPreKey.newBuilder().setKeyId(firstKeyId + i).setPublicKey(ByteString.copyFrom(randomBytes(33))));
            upload.addKyberPreKeys(signed(firstKeyId + i));
        }
        return call(ClientMessage.newBuilder().setUploadKeys(upload));
    }

    private static SignedPreKey signed(int keyId) {
        return SignedPreKey.newBuilder().setKeyId(keyId).setPublicKey(ByteString.copyFrom(randomBytes(64)))
                .setSignature(ByteString.copyFrom(randomBytes(64))).build();
    }

    /** Sends one envelope per given device of {@code recipient}, answers the envelope ids. */
    public List<UUID> send(String recipientAddress, List<Integer> recipientDevices, byte[] content) {
        SendEnvelopes.Builder send = SendEnvelopes.newBuilder().setDestination(recipientAddress).setClientTimestamp(System.currentTimeMillis());
        for (int device : recipientDevices) {
            send.addEnvelopes(OutgoingEnvelope.newBuilder().setDeviceId(device).setType(EnvelopeType.OPAQUE)
                    .setContent(ByteString.copyFrom(content)));
        }
        List<UUID> ids = new ArrayList<>();
        call(ClientMessage.newBuilder().setSendEnvelopes(send)).getEnvelopesAccepted().getEnvelopeIdsList()
                .forEach(id -> ids.add(EnvelopeIds.fromBytes(id)));
        assertEquals(recipientDevices.size(), ids.size());
        return ids;
    }

    /** The next pushed envelope, skipping other pushes. */
    public Envelope nextEnvelope(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                Push push = pushes.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (push == null) {
                    throw new AssertionError("no envelope pushed within " + timeout);
                }
                if (push.hasEnvelope()) {
                    return push.getEnvelope();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next push matching {@code wanted}, skipping others (QueueEmpty...); fails after {@code timeout}. */
    public Push await(java.util.function.Predicate<Push> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Push push = nextPush(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (push != null && wanted.test(push)) {
                return push;
            }
        }
        throw new AssertionError("no matching push within " + timeout);
    }

    /** The next push of any kind, or null after the timeout. */
    public Push nextPush(Duration timeout) throws InterruptedException {
        return pushes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void acknowledge(Envelope... envelopes) {
        AcknowledgeEnvelopes.Builder ack = AcknowledgeEnvelopes.newBuilder();
        for (Envelope envelope : envelopes) {
            ack.addEnvelopeIds(envelope.getId());
        }
        call(ClientMessage.newBuilder().setAcknowledgeEnvelopes(ack));
    }

    public static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    @Override
    public void close() {
        disconnect();
    }
}
