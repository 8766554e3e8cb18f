package org.securecomm.client.store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.InvalidKeyIdException;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.NoSessionException;
import org.signal.libsignal.protocol.ReusedBaseKeyException;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.state.IdentityKeyStore;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.KyberPreKeyStore;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyStore;
import org.signal.libsignal.protocol.state.SessionRecord;
import org.signal.libsignal.protocol.state.SessionStore;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyStore;

/**
 * libsignal's stores over the profile database. Private records (identity key pair, prekeys,
 * sessions) are sealed per row. Identity trust follows Signal: the first key seen for an address
 * is trusted; a different key later is recorded as a change that clears the verified mark, and
 * (when {@code blockOnIdentityChange}) makes sending fail until the user accepts it. Receiving
 * from a changed key is allowed, so no message is lost while the user decides.
 */
public final class ProtocolStore implements IdentityKeyStore, SessionStore, PreKeyStore, SignedPreKeyStore, KyberPreKeyStore {

    public static final String BLOCK_ON_IDENTITY_CHANGE = "identity.block-on-change";

    private final ProfileStore db;
    private final Clock clock;
    private volatile Consumer<TrustedIdentity> identityChangeListener = change -> { };
    private IdentityKeyPair identity;
    private int registrationId;
    private String localAddress;

    public ProtocolStore(ProfileStore db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void onIdentityChange(Consumer<TrustedIdentity> listener) {
        this.identityChangeListener = listener;
    }

    /** Sets this device's identity (registration, linking). */
    public synchronized void setLocalIdentity(IdentityKeyPair keyPair, int localRegistrationId, String address) {
        db.transaction(() -> {
            db.putSecret("identity.key-pair", keyPair.serialize());
            db.putSetting("identity.registration-id", Integer.toString(localRegistrationId));
            db.putSetting("identity.address", address);
            return null;
        });
        identity = keyPair;
        registrationId = localRegistrationId;
        localAddress = address;
    }

    public synchronized boolean hasLocalIdentity() {
        return identity != null || db.secret("identity.key-pair").isPresent();
    }

    private synchronized void loadLocal() {
        if (identity == null) {
            byte[] serialized = db.secret("identity.key-pair").orElseThrow(() -> new ProfileException("the profile has no identity yet"));
            try {
                identity = new IdentityKeyPair(serialized);
            } catch (InvalidKeyException e) {
                throw new ProfileException("the profile's identity key is damaged");
            }
            registrationId = Integer.parseInt(db.setting("identity.registration-id").orElseThrow());
            localAddress = db.setting("identity.address").orElseThrow();
        }
    }

    public boolean blockOnIdentityChange() {
        return db.setting(BLOCK_ON_IDENTITY_CHANGE).map(Boolean::parseBoolean).orElse(true);
    }

    // ------------------------------------------------------------ identities

    @Override
    public synchronized IdentityKeyPair getIdentityKeyPair() {
        loadLocal();
        return identity;
    }

    @Override
    public synchronized int getLocalRegistrationId() {
        loadLocal();
        return registrationId;
    }

    public synchronized String localAddress() {
        loadLocal();
        return localAddress;
    }

    @Override
    public IdentityChange saveIdentity(SignalProtocolAddress address, IdentityKey key) {
        if (address.getName().equals(localAddress())) {
            return IdentityChange.NEW_OR_UNCHANGED;
        }
        Optional<TrustedIdentity> known = trustedIdentity(address.getName());
        if (known.isEmpty()) {
            writeIdentity(address.getName(), key, false, true, false);
            return IdentityChange.NEW_OR_UNCHANGED;
        }
        if (known.get().key().equals(key)) {
            return IdentityChange.NEW_OR_UNCHANGED;
        }
        recordChange(address.getName(), key);
        return IdentityChange.REPLACED_EXISTING;
    }

    private void recordChange(String address, IdentityKey key) {
        TrustedIdentity changed = new TrustedIdentity(address, key, false, false, true);
        // Sessions with the old key must not be used again: the next message starts a new one.
        deleteAllSessions(address);
        writeIdentity(address, key, false, false, true);
        identityChangeListener.accept(changed);
    }

    @Override
    public boolean isTrustedIdentity(SignalProtocolAddress address, IdentityKey key, Direction direction) {
        if (address.getName().equals(localAddress())) {
            return key.equals(getIdentityKeyPair().getPublicKey());
        }
        Optional<TrustedIdentity> known = trustedIdentity(address.getName());
        if (known.isEmpty()) {
            return true;
        }
        boolean block = blockOnIdentityChange();
        if (known.get().key().equals(key)) {
            return !block || known.get().accepted() || direction == Direction.RECEIVING;
        }
        if (direction == Direction.SENDING) {
            recordChange(address.getName(), key);
            return !block;
        }
        return true;
    }

    @Override
    public IdentityKey getIdentity(SignalProtocolAddress address) {
        return trustedIdentity(address.getName()).map(TrustedIdentity::key).orElse(null);
    }

    public Optional<TrustedIdentity> trustedIdentity(String address) {
        return db.queryOne("SELECT identity_key, verified, accepted, changed FROM identities WHERE address = ?", row -> {
            try {
                return new TrustedIdentity(address, new IdentityKey(row.getBytes(1)), row.getInt(2) == 1, row.getInt(3) == 1,
                        row.getInt(4) == 1);
            } catch (InvalidKeyException e) {
                throw new ProfileException("a stored identity key is damaged");
            }
        }, address);
    }

    /** The user accepted the current key (after a change): sending resumes, the warning clears. */
    public void acceptIdentity(String address) {
        db.update("UPDATE identities SET accepted = 1, changed = 0, updated_at = ? WHERE address = ?", clock.millis(), address);
    }

    /** Marks the current key verified (safety numbers compared), which also accepts it. */
    public void setVerified(String address, boolean verified) {
        db.update("UPDATE identities SET verified = ?, accepted = CASE WHEN ? = 1 THEN 1 ELSE accepted END,"
                + " changed = CASE WHEN ? = 1 THEN 0 ELSE changed END, updated_at = ? WHERE address = ?",
                verified ? 1 : 0, verified ? 1 : 0, verified ? 1 : 0, clock.millis(), address);
    }

    /** Records a key learned from another own device (contact sync), unless one is known already. */
    public void learnIdentity(String address, IdentityKey key, boolean verified) {
        Optional<TrustedIdentity> known = trustedIdentity(address);
        if (known.isEmpty()) {
            writeIdentity(address, key, verified, true, false);
        } else if (known.get().key().equals(key) && verified && !known.get().verified()) {
            setVerified(address, true);
        }
    }

    private void writeIdentity(String address, IdentityKey key, boolean verified, boolean accepted, boolean changed) {
        db.update("INSERT INTO identities(address, identity_key, verified, accepted, changed, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT(address) DO UPDATE SET identity_key = excluded.identity_key, verified = excluded.verified,"
                        + " accepted = excluded.accepted, changed = excluded.changed, updated_at = excluded.updated_at",
                address, key.serialize(), verified ? 1 : 0, accepted ? 1 : 0, changed ? 1 : 0, clock.millis());
    }

    // ------------------------------------------------------------ sessions

    private static String sessionAad(String name, int deviceId) {
        return "sessions/" + name + "/" + deviceId;
    }

    @Override
    public SessionRecord loadSession(SignalProtocolAddress address) {
        return db.queryOne("SELECT sealed FROM sessions WHERE address = ? AND device_id = ?", row -> row.getBytes(1),
                        address.getName(), address.getDeviceId())
                .map(sealed -> {
                    try {
                        return new SessionRecord(db.vault().open(sessionAad(address.getName(), address.getDeviceId()), sealed));
                    } catch (InvalidMessageException e) {
                        throw new ProfileException("a stored session is damaged");
                    }
                })
                .orElse(null);
    }

    @Override
    public List<SessionRecord> loadExistingSessions(List<SignalProtocolAddress> addresses) throws NoSessionException {
        List<SessionRecord> records = new ArrayList<>();
        for (SignalProtocolAddress address : addresses) {
            SessionRecord record = loadSession(address);
            if (record == null) {
                throw new NoSessionException(address, "no session for " + address);
            }
            records.add(record);
        }
        return records;
    }

    /** Device ids other than the primary (1) with a session, as libsignal defines "sub devices". */
    @Override
    public List<Integer> getSubDeviceSessions(String name) {
        return sessionDevices(name).stream().filter(id -> id != 1).toList();
    }

    public List<Integer> sessionDevices(String name) {
        return db.query("SELECT device_id FROM sessions WHERE address = ? ORDER BY device_id", row -> row.getInt(1), name);
    }

    @Override
    public void storeSession(SignalProtocolAddress address, SessionRecord record) {
        db.update("INSERT INTO sessions(address, device_id, sealed) VALUES (?, ?, ?)"
                        + " ON CONFLICT(address, device_id) DO UPDATE SET sealed = excluded.sealed",
                address.getName(), address.getDeviceId(),
                db.vault().seal(sessionAad(address.getName(), address.getDeviceId()), record.serialize()));
    }

    @Override
    public boolean containsSession(SignalProtocolAddress address) {
        SessionRecord record = loadSession(address);
        return record != null && record.hasSenderChain();
    }

    @Override
    public void deleteSession(SignalProtocolAddress address) {
        db.update("DELETE FROM sessions WHERE address = ? AND device_id = ?", address.getName(), address.getDeviceId());
    }

    @Override
    public void deleteAllSessions(String name) {
        db.update("DELETE FROM sessions WHERE address = ?", name);
    }

    /** Keeps the session record but makes the next message start a new session (decryption-error recovery). */
    public void archiveSession(SignalProtocolAddress address) {
        SessionRecord record = loadSession(address);
        if (record != null) {
            record.archiveCurrentState();
            storeSession(address, record);
        }
    }

    // ------------------------------------------------------------ one-time EC prekeys

    @Override
    public PreKeyRecord loadPreKey(int id) throws InvalidKeyIdException {
        return loadRecord("prekeys", id, PreKeyRecord::new);
    }

    @Override
    public void storePreKey(int id, PreKeyRecord record) {
        db.update("INSERT OR REPLACE INTO prekeys(id, sealed) VALUES (?, ?)", id, db.vault().seal("prekeys/" + id, record.serialize()));
    }

    @Override
    public boolean containsPreKey(int id) {
        return db.queryOne("SELECT 1 FROM prekeys WHERE id = ?", row -> 1, id).isPresent();
    }

    @Override
    public void removePreKey(int id) {
        db.update("DELETE FROM prekeys WHERE id = ?", id);
    }

    // ------------------------------------------------------------ signed EC prekeys

    @Override
    public SignedPreKeyRecord loadSignedPreKey(int id) throws InvalidKeyIdException {
        return loadRecord("signed_prekeys", id, SignedPreKeyRecord::new);
    }

    @Override
    public List<SignedPreKeyRecord> loadSignedPreKeys() {
        return loadAll("signed_prekeys", SignedPreKeyRecord::new);
    }

    @Override
    public void storeSignedPreKey(int id, SignedPreKeyRecord record) {
        db.update("INSERT OR REPLACE INTO signed_prekeys(id, sealed, created_at) VALUES (?, ?, ?)",
                id, db.vault().seal("signed_prekeys/" + id, record.serialize()), record.getTimestamp());
    }

    @Override
    public boolean containsSignedPreKey(int id) {
        return db.queryOne("SELECT 1 FROM signed_prekeys WHERE id = ?", row -> 1, id).isPresent();
    }

    @Override
    public void removeSignedPreKey(int id) {
        db.update("DELETE FROM signed_prekeys WHERE id = ?", id);
    }

    // ------------------------------------------------------------ Kyber prekeys

    @Override
    public KyberPreKeyRecord loadKyberPreKey(int id) throws InvalidKeyIdException {
        return loadRecord("kyber_prekeys", id, KyberPreKeyRecord::new);
    }

    @Override
    public List<KyberPreKeyRecord> loadKyberPreKeys() {
        return loadAll("kyber_prekeys", KyberPreKeyRecord::new);
    }

    @Override
    public void storeKyberPreKey(int id, KyberPreKeyRecord record) {
        storeKyberPreKey(id, record, false);
    }

    public void storeKyberPreKey(int id, KyberPreKeyRecord record, boolean lastResort) {
        db.update("INSERT OR REPLACE INTO kyber_prekeys(id, sealed, last_resort, created_at) VALUES (?, ?, ?, ?)",
                id, db.vault().seal("kyber_prekeys/" + id, record.serialize()), lastResort ? 1 : 0, record.getTimestamp());
    }

    @Override
    public boolean containsKyberPreKey(int id) {
        return db.queryOne("SELECT 1 FROM kyber_prekeys WHERE id = ?", row -> 1, id).isPresent();
    }

    /** One-time Kyber keys are deleted; a last-resort key stays but refuses a replayed base key. */
    @Override
    public void markKyberPreKeyUsed(int id, int signedPreKeyId, ECPublicKey baseKey) throws ReusedBaseKeyException {
        boolean lastResort = db.queryOne("SELECT last_resort FROM kyber_prekeys WHERE id = ?", row -> row.getInt(1) == 1, id)
                .orElse(false);
        if (!lastResort) {
            db.update("DELETE FROM kyber_prekeys WHERE id = ?", id);
            return;
        }
        int inserted = db.update("INSERT OR IGNORE INTO kyber_base_keys(kyber_id, signed_id, base_key) VALUES (?, ?, ?)",
                id, signedPreKeyId, baseKey.serialize());
        if (inserted == 0) {
            throw new ReusedBaseKeyException("this base key was already used with last-resort key " + id);
        }
    }

    /** Removes last-resort Kyber keys other than {@code keep} created before {@code cutoffMillis}. */
    public void removeOldLastResortKeys(int keep, long cutoffMillis) {
        db.update("DELETE FROM kyber_base_keys WHERE kyber_id IN (SELECT id FROM kyber_prekeys WHERE last_resort = 1 AND id <> ?"
                + " AND created_at < ?)", keep, cutoffMillis);
        db.update("DELETE FROM kyber_prekeys WHERE last_resort = 1 AND id <> ? AND created_at < ?", keep, cutoffMillis);
    }

    /** Removes signed prekeys other than {@code keep} created before {@code cutoffMillis}. */
    public void removeOldSignedPreKeys(int keep, long cutoffMillis) {
        db.update("DELETE FROM signed_prekeys WHERE id <> ? AND created_at < ?", keep, cutoffMillis);
    }

    public int oneTimePreKeyCount() {
        return db.queryOne("SELECT count(*) FROM prekeys", row -> row.getInt(1)).orElse(0);
    }

    // ------------------------------------------------------------ sealed key records

    /** libsignal's record constructors from serialized bytes. */
    @FunctionalInterface
    private interface RecordParser<T> {
        T parse(byte[] serialized) throws InvalidMessageException;
    }

    /** Tables of key records share one layout: id, sealed record; the AAD is table/id. */
    private <T> T loadRecord(String table, int id, RecordParser<T> parser) throws InvalidKeyIdException {
        byte[] sealed = db.queryOne("SELECT sealed FROM " + table + " WHERE id = ?", row -> row.getBytes(1), id)
                .orElseThrow(() -> new InvalidKeyIdException("no " + table + " record " + id));
        try {
            return parser.parse(db.vault().open(table + "/" + id, sealed));
        } catch (InvalidMessageException e) {
            throw new InvalidKeyIdException(e);
        }
    }

    private <T> List<T> loadAll(String table, RecordParser<T> parser) {
        List<T> records = new ArrayList<>();
        for (int id : db.query("SELECT id FROM " + table + " ORDER BY id", row -> row.getInt(1))) {
            try {
                records.add(loadRecord(table, id, parser));
            } catch (InvalidKeyIdException e) {
                throw new ProfileException("a stored " + table + " record is damaged");
            }
        }
        return records;
    }
}
