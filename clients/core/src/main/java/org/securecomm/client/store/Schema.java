package org.securecomm.client.store;

/** Tables of a profile database. Columns named "sealed" hold AES-GCM blobs (see {@link ProfileStore}). */
final class Schema {

    private Schema() {
    }

    static void create(ProfileStore store) {
        for (String statement : new String[] {
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
                // Public identity keys of others; trust state for the identity-change policy.
                "CREATE TABLE identities (address TEXT PRIMARY KEY, identity_key BLOB NOT NULL, verified INTEGER NOT NULL,"
                        + " accepted INTEGER NOT NULL, changed INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
                "CREATE TABLE prekeys (id INTEGER PRIMARY KEY, sealed BLOB NOT NULL)",
                "CREATE TABLE signed_prekeys (id INTEGER PRIMARY KEY, sealed BLOB NOT NULL, created_at INTEGER NOT NULL)",
                "CREATE TABLE kyber_prekeys (id INTEGER PRIMARY KEY, sealed BLOB NOT NULL, last_resort INTEGER NOT NULL,"
                        + " created_at INTEGER NOT NULL)",
                // Base keys seen with a last-resort Kyber key: libsignal refuses a replayed pair.
                "CREATE TABLE kyber_base_keys (kyber_id INTEGER NOT NULL, signed_id INTEGER NOT NULL, base_key BLOB NOT NULL,"
                        + " PRIMARY KEY (kyber_id, signed_id, base_key))",
                "CREATE TABLE sessions (address TEXT NOT NULL, device_id INTEGER NOT NULL, sealed BLOB NOT NULL,"
                        + " PRIMARY KEY (address, device_id))",
                "CREATE TABLE contacts (address TEXT PRIMARY KEY, sealed_name BLOB, added_at INTEGER NOT NULL,"
                        + " expire_timer INTEGER NOT NULL DEFAULT 0)",
                "CREATE TABLE messages (id BLOB PRIMARY KEY, conversation TEXT NOT NULL, sender TEXT NOT NULL,"
                        + " sender_device INTEGER NOT NULL, outgoing INTEGER NOT NULL, sealed_body BLOB NOT NULL,"
                        + " sent_at INTEGER NOT NULL, stored_at INTEGER NOT NULL, delivered INTEGER NOT NULL DEFAULT 0,"
                        + " read INTEGER NOT NULL DEFAULT 0, printed INTEGER NOT NULL DEFAULT 0,"
                        + " expire_timer INTEGER NOT NULL DEFAULT 0, expires_at INTEGER)",
                "CREATE INDEX messages_by_conversation ON messages (conversation, sent_at)",
                // Receipts that arrived before the message they acknowledge (a sync copy still on its way).
                "CREATE TABLE early_receipts (id BLOB NOT NULL, conversation TEXT NOT NULL, read INTEGER NOT NULL,"
                        + " received_at INTEGER NOT NULL, PRIMARY KEY (id, conversation))",
                "CREATE TABLE seen_envelopes (id BLOB PRIMARY KEY, seen_at INTEGER NOT NULL)",
                // What this device sent recently, for resending after a peer's decryption error.
                "CREATE TABLE send_log (sent_at INTEGER NOT NULL, destination TEXT NOT NULL, sealed_content BLOB NOT NULL,"
                        + " PRIMARY KEY (sent_at, destination))",
        }) {
            store.update(statement);
        }
        upgrade(store);
    }

    /**
     * Tables and columns added after the first release; run on every open so older profiles get
     * them. Every step must be idempotent (it also runs right after {@link #create}).
     */
    static void upgrade(ProfileStore store) {
        // One row per call on this device; the record (with the other accounts' addresses) is sealed.
        store.update("CREATE TABLE IF NOT EXISTS call_history (call_id TEXT PRIMARY KEY, direction INTEGER NOT NULL,"
                + " outcome INTEGER NOT NULL, started_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL,"
                + " sealed_participants BLOB NOT NULL, video INTEGER NOT NULL, updated_at INTEGER NOT NULL)");
        // The ErrorCode number with which another cluster refused an outgoing message after this
        // device's relay had accepted it (federation DELIVERY_FAILURE); NULL: no failure known.
        addColumnIfMissing(store, "messages", "failed_code", "INTEGER");
        // Send requests not answered yet (the relay went away before its answer): the exact
        // encrypted bytes, resent under the same transport id until the relay accepts or refuses
        // them. The request (ciphertexts, destination device ids) is sealed.
        store.update("CREATE TABLE IF NOT EXISTS outbox (id BLOB PRIMARY KEY, destination TEXT NOT NULL,"
                + " sealed_request BLOB NOT NULL, created_at INTEGER NOT NULL)");
    }

    /** SQLite has no ADD COLUMN IF NOT EXISTS: look at the table first. */
    private static void addColumnIfMissing(ProfileStore store, String table, String column, String definition) {
        boolean present = store.query("PRAGMA table_info(" + table + ")", row -> row.getString("name")).contains(column);
        if (!present) {
            store.update("ALTER TABLE " + table + " ADD COLUMN " + column + " " + definition);
        }
    }
}
