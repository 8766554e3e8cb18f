package org.securecomm.client.store;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Optional;
import org.securecomm.protocol.content.v1.CallRecord;

/**
 * The calls of this device: incoming, outgoing, missed, declined, with time, duration and the
 * other participants. A row is written when a call starts ringing and updated as it goes; the
 * record itself (participants included) is sealed, the columns only order and filter.
 */
public final class CallHistoryStore {

    /** One call as the history shows it. */
    public record Entry(String callId, CallRecord record) {
    }

    private final ProfileStore db;

    public CallHistoryStore(ProfileStore db) {
        this.db = db;
    }

    /** Inserts or replaces the record of {@code callId}. */
    public void put(String callId, CallRecord record, long now) {
        db.update("INSERT INTO call_history(call_id, direction, outcome, started_at, duration_ms, sealed_participants, video,"
                        + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(call_id) DO UPDATE SET direction = excluded.direction,"
                        + " outcome = excluded.outcome, started_at = excluded.started_at, duration_ms = excluded.duration_ms,"
                        + " sealed_participants = excluded.sealed_participants, video = excluded.video, updated_at = excluded.updated_at",
                callId, record.getDirectionValue(), record.getOutcomeValue(), record.getStartedAtMillis(), record.getDurationMillis(),
                db.vault().seal(aad(callId), record.toByteArray()), record.getVideo() ? 1 : 0, now);
    }

    public Optional<Entry> find(String callId) {
        return db.queryOne("SELECT call_id, sealed_participants FROM call_history WHERE call_id = ?", this::map, callId);
    }

    /** Newest first. */
    public List<Entry> list(int limit) {
        return db.query("SELECT call_id, sealed_participants FROM call_history ORDER BY started_at DESC, call_id LIMIT ?", this::map, limit);
    }

    private Entry map(java.sql.ResultSet row) throws java.sql.SQLException {
        String callId = row.getString(1);
        try {
            return new Entry(callId, CallRecord.parseFrom(db.vault().open(aad(callId), row.getBytes(2))));
        } catch (InvalidProtocolBufferException e) {
            throw new StoreException(e);
        }
    }

    private static String aad(String callId) {
        return "calls/" + callId;
    }
}
