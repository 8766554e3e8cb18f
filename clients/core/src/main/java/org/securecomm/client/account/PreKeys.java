package org.securecomm.client.account;

import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.protocol.client.v1.EcPreKey;
import org.securecomm.protocol.client.v1.SignedPreKey;
import org.securecomm.protocol.client.v1.UploadKeys;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyType;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;
import org.signal.libsignal.protocol.util.Medium;

/**
 * This device's PQXDH prekeys: generates them into the store and builds the uploads. A signed EC
 * prekey and a last-resort Kyber prekey are replaced every {@code rotation} (weekly by default);
 * replaced ones stay usable for a grace period so messages built on them still decrypt. One-time
 * keys are topped up in batches when the relay reports a low stock.
 */
public final class PreKeys {

    public static final Duration DEFAULT_ROTATION = Duration.ofDays(7);
    /** How long a replaced signed / last-resort key keeps decrypting late session starts. */
    public static final Duration GRACE = Duration.ofDays(30);
    public static final int BATCH = 100;

    private final ProfileStore db;
    private final ProtocolStore protocol;
    private final Clock clock;
    private final Duration rotation;

    public PreKeys(ProfileStore db, ProtocolStore protocol, Clock clock, Duration rotation) {
        this.db = db;
        this.protocol = protocol;
        this.clock = clock;
        this.rotation = rotation;
    }

    /** Everything a new device uploads: identity, signed prekey, last-resort Kyber key and one batch of one-time keys. */
    public UploadKeys initialUpload() {
        return db.transaction(() -> {
            UploadKeys.Builder upload = UploadKeys.newBuilder()
                    .setIdentityKey(ByteString.copyFrom(identity().getPublicKey().serialize()));
            addSignedAndLastResort(upload);
            addOneTimeKeys(upload, BATCH);
            return upload.build();
        });
    }

    /** One batch of one-time EC and Kyber keys. */
    public UploadKeys replenish() {
        return db.transaction(() -> {
            UploadKeys.Builder upload = UploadKeys.newBuilder();
            addOneTimeKeys(upload, BATCH);
            return upload.build();
        });
    }

    /** A new signed prekey and last-resort Kyber key when the current ones are older than the rotation interval. */
    public Optional<UploadKeys> rotateIfDue() {
        long createdAt = db.setting("prekeys.signed-created-at").map(Long::parseLong).orElse(0L);
        if (clock.millis() - createdAt < rotation.toMillis()) {
            return Optional.empty();
        }
        return Optional.of(db.transaction(() -> {
            UploadKeys.Builder upload = UploadKeys.newBuilder();
            addSignedAndLastResort(upload);
            long cutoff = clock.millis() - GRACE.toMillis();
            protocol.removeOldSignedPreKeys(currentId("prekeys.current-signed"), cutoff);
            protocol.removeOldLastResortKeys(currentId("prekeys.current-last-resort"), cutoff);
            return upload.build();
        }));
    }

    public int currentSignedPreKeyId() {
        return currentId("prekeys.current-signed");
    }

    private int currentId(String key) {
        return db.setting(key).map(Integer::parseInt).orElse(0);
    }

    private void addSignedAndLastResort(UploadKeys.Builder upload) {
        IdentityKeyPair identity = identity();
        long now = clock.millis();
        int signedId = nextId("prekeys.next-signed");
        ECKeyPair signedPair = ECKeyPair.generate();
        byte[] signature = identity.getPrivateKey().calculateSignature(signedPair.getPublicKey().serialize());
        protocol.storeSignedPreKey(signedId, new SignedPreKeyRecord(signedId, now, signedPair, signature));
        upload.setSignedPreKey(SignedPreKey.newBuilder().setKeyId(signedId)
                .setPublicKey(ByteString.copyFrom(signedPair.getPublicKey().serialize()))
                .setSignature(ByteString.copyFrom(signature)));
        int lastResortId = nextId("prekeys.next-kyber");
        upload.setLastResortKyberPreKey(kyber(identity, lastResortId, now, true));
        db.putSetting("prekeys.current-signed", Integer.toString(signedId));
        db.putSetting("prekeys.current-last-resort", Integer.toString(lastResortId));
        db.putSetting("prekeys.signed-created-at", Long.toString(now));
    }

    private void addOneTimeKeys(UploadKeys.Builder upload, int count) {
        IdentityKeyPair identity = identity();
        long now = clock.millis();
        for (int i = 0; i < count; i++) {
            int id = nextId("prekeys.next-ec");
            ECKeyPair pair = ECKeyPair.generate();
            protocol.storePreKey(id, new PreKeyRecord(id, pair));
            upload.addOneTimePreKeys(EcPreKey.newBuilder().setKeyId(id).setPublicKey(ByteString.copyFrom(pair.getPublicKey().serialize())));
            upload.addKyberPreKeys(kyber(identity, nextId("prekeys.next-kyber"), now, false));
        }
    }

    private SignedPreKey kyber(IdentityKeyPair identity, int id, long now, boolean lastResort) {
        KEMKeyPair pair = KEMKeyPair.generate(KEMKeyType.KYBER_1024);
        byte[] publicKey = pair.getPublicKey().serialize();
        byte[] signature = identity.getPrivateKey().calculateSignature(publicKey);
        protocol.storeKyberPreKey(id, new KyberPreKeyRecord(id, now, pair, signature), lastResort);
        return SignedPreKey.newBuilder().setKeyId(id).setPublicKey(ByteString.copyFrom(publicKey))
                .setSignature(ByteString.copyFrom(signature)).build();
    }

    /** Key ids count up from 1 and wrap inside libsignal's 24-bit id space. */
    private int nextId(String key) {
        int id = db.setting(key).map(Integer::parseInt).orElse(1);
        db.putSetting(key, Integer.toString(id % (Medium.MAX_VALUE - 1) + 1));
        return id;
    }

    private IdentityKeyPair identity() {
        return protocol.getIdentityKeyPair();
    }
}
