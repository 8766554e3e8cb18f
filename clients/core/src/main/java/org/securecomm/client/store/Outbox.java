package org.securecomm.client.store;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Send requests (SendEnvelopes, already encrypted) that the relay has not answered yet, keyed by
 * their transport message id. A request stays here until the relay accepts or definitely refuses
 * it, so a send cut off by a relay node going away, or by the app stopping, is resent with the
 * same id and the same bytes: the relay stores it once, and the ratchet is not advanced twice.
 */
public final class Outbox {

    /** One pending request. */
    public record Entry(byte[] id, String destination, byte[] request, long createdAt) {
    }

    private final ProfileStore db;

    public Outbox(ProfileStore db) {
        this.db = db;
    }

    public void put(byte[] id, String destination, byte[] request, long now) {
        db.update("INSERT OR REPLACE INTO outbox(id, destination, sealed_request, created_at) VALUES (?, ?, ?, ?)",
                id, destination, db.vault().seal(aad(id), request), now);
    }

    public void remove(byte[] id) {
        db.update("DELETE FROM outbox WHERE id = ?", (Object) id);
    }

    public boolean contains(byte[] id) {
        return db.queryOne("SELECT 1 FROM outbox WHERE id = ?", row -> 1, (Object) id).isPresent();
    }

    public Optional<Entry> find(byte[] id) {
        return db.queryOne("SELECT id, destination, sealed_request, created_at FROM outbox WHERE id = ?", this::map, (Object) id);
    }

    public boolean isEmpty() {
        return db.queryOne("SELECT 1 FROM outbox LIMIT 1", row -> 1).isEmpty();
    }

    /** Oldest first. */
    public List<Entry> all() {
        return db.query("SELECT id, destination, sealed_request, created_at FROM outbox ORDER BY created_at, rowid", this::map);
    }

    private Entry map(java.sql.ResultSet row) throws java.sql.SQLException {
        byte[] id = row.getBytes(1);
        return new Entry(id, row.getString(2), db.vault().open(aad(id), row.getBytes(3)), row.getLong(4));
    }

    private static String aad(byte[] id) {
        return "outbox/" + HexFormat.of().formatHex(id);
    }
}
