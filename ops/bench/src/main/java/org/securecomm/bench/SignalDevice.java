package org.securecomm.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import org.securecomm.client.messaging.Bundles;
import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.EcPreKey;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.PreKeyBundles;
import org.securecomm.protocol.client.v1.SignedPreKey;
import org.securecomm.protocol.client.v1.UploadKeys;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyType;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;
import org.signal.libsignal.protocol.state.impl.InMemorySignalProtocolStore;
import org.signal.libsignal.protocol.util.KeyHelper;

/**
 * A bench device with real libsignal state, as a client holds it: an identity key pair and
 * registration id (sent at registration), a signed EC prekey, a last-resort Kyber prekey and a few
 * one-time EC and Kyber prekeys (uploaded), and its sessions. The store is in memory (libsignal's
 * own), not the SDK's sealed SQLite profile: the figures are libsignal's cost, not a database's.
 * One device's store is used by its sender and its receiver, hence the synchronized methods.
 */
final class SignalDevice {

    private final IdentityKeyPair identity = IdentityKeyPair.generate();
    private final int registrationId = KeyHelper.generateRegistrationId(false);
    private final InMemorySignalProtocolStore store = new InMemorySignalProtocolStore(identity, registrationId);

    int registrationId() {
        return registrationId;
    }

    byte[] publicIdentityKey() {
        return identity.getPublicKey().serialize();
    }

    /** Generates the prekeys into the store and answers their upload (ids start at 1). */
    synchronized UploadKeys prekeys(int oneTimeKeys) {
        long now = System.currentTimeMillis();
        ECKeyPair signed = ECKeyPair.generate();
        byte[] signedSignature = identity.getPrivateKey().calculateSignature(signed.getPublicKey().serialize());
        store.storeSignedPreKey(1, new SignedPreKeyRecord(1, now, signed, signedSignature));
        UploadKeys.Builder upload = UploadKeys.newBuilder()
                .setIdentityKey(ByteString.copyFrom(publicIdentityKey()))
                .setSignedPreKey(SignedPreKey.newBuilder().setKeyId(1).setPublicKey(ByteString.copyFrom(signed.getPublicKey().serialize()))
                        .setSignature(ByteString.copyFrom(signedSignature)))
                .setLastResortKyberPreKey(kyber(1, now));
        for (int id = 2; id < 2 + oneTimeKeys; id++) {
            ECKeyPair oneTime = ECKeyPair.generate();
            store.storePreKey(id, new PreKeyRecord(id, oneTime));
            upload.addOneTimePreKeys(EcPreKey.newBuilder().setKeyId(id).setPublicKey(ByteString.copyFrom(oneTime.getPublicKey().serialize())));
            upload.addKyberPreKeys(kyber(id, now));
        }
        return upload.build();
    }

    private SignedPreKey kyber(int id, long now) {
        KEMKeyPair pair = KEMKeyPair.generate(KEMKeyType.KYBER_1024);
        byte[] publicKey = pair.getPublicKey().serialize();
        byte[] signature = identity.getPrivateKey().calculateSignature(publicKey);
        store.storeKyberPreKey(id, new KyberPreKeyRecord(id, now, pair, signature));
        return SignedPreKey.newBuilder().setKeyId(id).setPublicKey(ByteString.copyFrom(publicKey)).setSignature(ByteString.copyFrom(signature)).build();
    }

    /** PQXDH: a session with every device in the relay's bundles (libsignal verifies the signatures). */
    synchronized void startSessions(PreKeyBundles bundles) throws Exception {
        for (DevicePreKeyBundle device : bundles.getDevicesList()) {
            new SessionBuilder(store, new SignalProtocolAddress(bundles.getAddress(), device.getDeviceId()))
                    .process(Bundles.toLibsignal(bundles, device));
        }
    }

    /** One envelope for the destination device, through the session (a PreKey message until the peer has answered). */
    synchronized OutgoingEnvelope encrypt(String address, int deviceId, byte[] plaintext) throws Exception {
        SessionCipher cipher = new SessionCipher(store, new SignalProtocolAddress(address, deviceId));
        CiphertextMessage message = cipher.encrypt(plaintext);
        return OutgoingEnvelope.newBuilder().setDeviceId(deviceId).setRegistrationId(cipher.getRemoteRegistrationId())
                .setType(message.getType() == CiphertextMessage.PREKEY_TYPE ? EnvelopeType.PREKEY_MESSAGE : EnvelopeType.CIPHERTEXT)
                .setContent(UnsafeByteOperations.unsafeWrap(message.serialize())).build();
    }

    synchronized byte[] decrypt(Envelope envelope) throws Exception {
        SessionCipher cipher = new SessionCipher(store, new SignalProtocolAddress(envelope.getSourceAddress(), envelope.getSourceDevice()));
        byte[] content = envelope.getContent().toByteArray();
        if (envelope.getType() == EnvelopeType.PREKEY_MESSAGE) {
            return cipher.decrypt(new PreKeySignalMessage(content));
        }
        if (envelope.getType() == EnvelopeType.CIPHERTEXT) {
            return cipher.decrypt(new SignalMessage(content));
        }
        throw new InvalidMessageException("not a session message: " + envelope.getType());
    }
}
