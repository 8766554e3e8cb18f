package org.securecomm.client.store;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.ErrorCode;

/**
 * Messages, the envelope ids already processed (de-duplication of at-least-once delivery) and
 * the recent send log (for resends after a peer's decryption error). Bodies are sealed.
 */
public final class MessageStore {

    private static final String COLUMNS = "id, conversation, sender, sender_device, outgoing, sealed_body, sent_at, stored_at,"
            + " delivered, read, expire_timer, expires_at, failed_code";

    private final ProfileStore db;

    public MessageStore(ProfileStore db) {
        this.db = db;
    }

    /** True the first time an envelope id is seen; false for a redelivery. */
    public boolean markEnvelopeSeen(UUID envelopeId, long now) {
        return db.update("INSERT OR IGNORE INTO seen_envelopes(id, seen_at) VALUES (?, ?)",
                EnvelopeIds.toBytes(envelopeId).toByteArray(), now) == 1;
    }

    public boolean envelopeSeen(UUID envelopeId) {
        return db.queryOne("SELECT 1 FROM seen_envelopes WHERE id = ?", row -> 1, EnvelopeIds.toBytes(envelopeId).toByteArray())
                .isPresent();
    }

    /** Stores a message unless one with its id exists (resends, sync copies); true when new. */
    public boolean insert(StoredMessage m) {
        boolean inserted = db.update("INSERT OR IGNORE INTO messages(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                m.id(), m.conversation(), m.sender(), m.senderDevice(), m.outgoing() ? 1 : 0,
                db.vault().seal(aad(m.id()), m.text().getBytes(StandardCharsets.UTF_8)), m.sentAt(), m.storedAt(),
                m.delivered() ? 1 : 0, m.read() ? 1 : 0, m.expireTimerSeconds(), m.expiresAt(),
                m.failure() == null ? null : m.failure().getNumber()) == 1;
        if (inserted && m.outgoing()) {
            applyEarlyReceipts(m.id(), m.conversation());
        }
        return inserted;
    }

    /** Forgets a message (a send that the relay refused outright is not kept). */
    public void delete(byte[] id) {
        db.update("DELETE FROM messages WHERE id = ?", (Object) id);
    }

    /** Keeps a receipt for a message this device does not have yet (its sync copy is late). */
    public void keepEarlyReceipt(byte[] id, String conversation, boolean read, long now) {
        db.update("INSERT INTO early_receipts(id, conversation, read, received_at) VALUES (?, ?, ?, ?) ON CONFLICT(id, conversation)"
                + " DO UPDATE SET read = MAX(read, excluded.read)", id, conversation, read ? 1 : 0, now);
    }

    private void applyEarlyReceipts(byte[] id, String conversation) {
        db.queryOne("SELECT read FROM early_receipts WHERE id = ? AND conversation = ?", row -> row.getInt(1) == 1, id, conversation)
                .ifPresent(read -> {
                    markDelivered(id);
                    if (read) {
                        db.update("UPDATE messages SET read = 1 WHERE id = ?", (Object) id);
                    }
                    db.update("DELETE FROM early_receipts WHERE id = ? AND conversation = ?", id, conversation);
                });
    }

    public Optional<StoredMessage> find(byte[] id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM messages WHERE id = ?", this::map, (Object) id);
    }

    public List<StoredMessage> conversation(String address) {
        return db.query("SELECT " + COLUMNS + " FROM messages WHERE conversation = ? ORDER BY sent_at, stored_at", this::map, address);
    }

    public List<StoredMessage> all() {
        return db.query("SELECT " + COLUMNS + " FROM messages ORDER BY stored_at, sent_at", this::map);
    }

    /** Incoming messages not yet shown by {@link #markPrinted}, oldest first. */
    public List<StoredMessage> unprinted() {
        return db.query("SELECT " + COLUMNS + " FROM messages WHERE printed = 0 AND outgoing = 0 ORDER BY stored_at, sent_at", this::map);
    }

    public void markPrinted(byte[] id) {
        db.update("UPDATE messages SET printed = 1 WHERE id = ?", (Object) id);
    }

    public void markDelivered(byte[] id) {
        db.update("UPDATE messages SET delivered = 1 WHERE id = ?", (Object) id);
    }

    /**
     * Marks this device's outgoing message {@code id} to {@code conversation} as refused with
     * {@code code}; answers it as updated, or empty when there is no such outgoing message (the
     * conversation is part of the match, so a report about one address never marks a message to
     * another).
     */
    public Optional<StoredMessage> markFailed(byte[] id, String conversation, int code) {
        int updated = db.update("UPDATE messages SET failed_code = ? WHERE id = ? AND conversation = ? AND outgoing = 1",
                code, id, conversation);
        return updated == 0 ? Optional.empty() : find(id);
    }

    /** Forgets a delivery failure (the message was sent again and accepted). */
    public void clearFailure(byte[] id) {
        db.update("UPDATE messages SET failed_code = NULL WHERE id = ?", (Object) id);
    }

    /** Marks read and starts the disappearing timer of a message that has one. */
    public void markRead(byte[] id, long now) {
        db.update("UPDATE messages SET read = 1, expires_at = CASE WHEN expire_timer > 0 AND expires_at IS NULL"
                + " THEN ? + expire_timer * 1000 ELSE expires_at END WHERE id = ?", now, id);
    }

    /** Deletes messages whose disappearing timer ran out; answers how many. */
    public int deleteExpired(long now) {
        return db.update("DELETE FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ?", now);
    }

    public void logSent(long sentAt, String destination, byte[] content) {
        db.update("INSERT OR REPLACE INTO send_log(sent_at, destination, sealed_content) VALUES (?, ?, ?)",
                sentAt, destination, db.vault().seal("send_log/" + sentAt + "/" + destination, content));
    }

    public Optional<byte[]> sentContent(long sentAt, String destination) {
        return db.queryOne("SELECT sealed_content FROM send_log WHERE sent_at = ? AND destination = ?", row -> row.getBytes(1),
                sentAt, destination).map(sealed -> db.vault().open("send_log/" + sentAt + "/" + destination, sealed));
    }

    /** Forgets what is too old to be asked for again. */
    public void prune(long sendLogBefore, long seenEnvelopesBefore) {
        db.update("DELETE FROM send_log WHERE sent_at < ?", sendLogBefore);
        db.update("DELETE FROM seen_envelopes WHERE seen_at < ?", seenEnvelopesBefore);
        db.update("DELETE FROM early_receipts WHERE received_at < ?", sendLogBefore);
    }

    private StoredMessage map(ResultSet row) throws SQLException {
        byte[] id = row.getBytes(1);
        long expiresAt = row.getLong(12);
        Long expires = row.wasNull() ? null : expiresAt;
        int failedCode = row.getInt(13);
        ErrorCode failure = row.wasNull() ? null : errorCode(failedCode);
        return new StoredMessage(id, row.getString(2), row.getString(3), row.getInt(4), row.getInt(5) == 1,
                new String(db.vault().open(aad(id), row.getBytes(6)), StandardCharsets.UTF_8), row.getLong(7), row.getLong(8),
                row.getInt(9) == 1, row.getInt(10) == 1, row.getInt(11), expires, failure);
    }

    /** A code from a newer relay that this build does not know is still a failure. */
    private static ErrorCode errorCode(int number) {
        ErrorCode code = ErrorCode.forNumber(number);
        return code == null ? ErrorCode.UNRECOGNIZED : code;
    }

    private static String aad(byte[] id) {
        return "messages/" + HexFormat.of().formatHex(id);
    }
}
