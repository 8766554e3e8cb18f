package org.securecomm.client.messaging;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.securecomm.client.account.OwnDevices;
import org.securecomm.client.account.PreKeys;
import org.securecomm.client.store.ContactStore;
import org.securecomm.client.store.MessageStore;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.PreKeyBundles;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.UploadKeys;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.SignalProtocolAddress;

/**
 * Device 1 of {@link #SELF} with real profile-backed stores and a stand-in relay: prekey bundle
 * requests are answered from a peer account's real uploaded keys, every other request goes to
 * {@link #answer} (settable per test), and every request is recorded.
 */
final class SendingDevice implements AutoCloseable {

    static final String SELF = "alice@home.test";
    static final int SELF_DEVICE = 1;

    final ProfileStore db;
    final ProtocolStore protocol;
    final MessageStore messages;
    final ContactStore contacts;
    final OwnDevices ownDevices;
    final MessageSender sender;
    final List<ClientMessage> requests = new ArrayList<>();
    private final ProfileStore peerDb;
    private final UploadKeys peerKeys;
    private int nextOneTimeKey;
    Function<ClientMessage, Response> answer = request -> {
        throw new AssertionError("unexpected request " + request.getBodyCase());
    };

    SendingDevice(Path dir) {
        db = ProfileStore.create(dir.resolve("self"), "s".toCharArray(), 1024, 1);
        protocol = new ProtocolStore(db, Clock.systemUTC());
        protocol.setLocalIdentity(IdentityKeyPair.generate(), 11, SELF);
        messages = new MessageStore(db);
        contacts = new ContactStore(db);
        ownDevices = new OwnDevices(db, SELF_DEVICE);
        peerDb = ProfileStore.create(dir.resolve("peer"), "p".toCharArray(), 1024, 1);
        ProtocolStore peer = new ProtocolStore(peerDb, Clock.systemUTC());
        peer.setLocalIdentity(IdentityKeyPair.generate(), 22, "peer@other.test");
        peerKeys = new PreKeys(peerDb, peer, Clock.systemUTC(), PreKeys.DEFAULT_ROTATION).initialUpload();
        sender = new MessageSender(protocol, this::call, ownDevices, SELF, SELF_DEVICE);
    }

    /** The stand-in relay, for senders built by a test (e.g. with an outbox). */
    org.securecomm.client.transport.Relay relay() {
        return this::call;
    }

    private Response call(ClientMessage.Builder request) {
        ClientMessage message = request.build();
        requests.add(message);
        if (message.hasGetPreKeyBundles()) {
            return Response.newBuilder().setPreKeyBundles(bundle(message.getGetPreKeyBundles().getAddress(),
                    message.getGetPreKeyBundles().getDeviceId())).build();
        }
        return answer.apply(message);
    }

    /** A bundle for one device of {@code address} (every device shares the peer's keys but gets its own one-time keys). */
    private PreKeyBundles bundle(String address, int deviceId) {
        int index = nextOneTimeKey++;
        return PreKeyBundles.newBuilder().setAddress(address).setIdentityKey(peerKeys.getIdentityKey())
                .addDevices(DevicePreKeyBundle.newBuilder().setDeviceId(deviceId).setRegistrationId(100 + deviceId)
                        .setSignedPreKey(peerKeys.getSignedPreKey()).setOneTimePreKey(peerKeys.getOneTimePreKeys(index))
                        .setKyberPreKey(peerKeys.getKyberPreKeys(index)))
                .build();
    }

    /** Starts sessions with these devices of {@code address}, as an earlier send would have. */
    void sessionsWith(String address, int... devices) {
        for (int device : devices) {
            sender.fetchSessions(address, device);
        }
        requests.clear();
    }

    boolean hasSession(String address, int device) {
        return protocol.containsSession(new SignalProtocolAddress(address, device));
    }

    List<Integer> bundlesAskedFor() {
        return requests.stream().filter(ClientMessage::hasGetPreKeyBundles).map(r -> r.getGetPreKeyBundles().getDeviceId()).toList();
    }

    @Override
    public void close() {
        db.close();
        peerDb.close();
    }
}
