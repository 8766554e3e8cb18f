package org.securecomm.relay.federation.outbound;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.securecomm.relay.CborSerializable;

/**
 * The PDUs queued for one peer in sequence order, the last sequence number handed out (kept when
 * the queue drains: numbers never restart, or the peer would ignore new PDUs as duplicates) and
 * when the peer last acknowledged. Mutable on purpose, like MailboxState: Pekko applies events one
 * at a time and a long queue must not be copied per event.
 */
// Only the @JsonProperty accessors form the snapshot (Pekko's mapper would otherwise add every field).
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class PeerQueue implements CborSerializable {

    private final TreeMap<Long, QueuedPdu> items = new TreeMap<>();
    private long lastSequence;
    private long lastSuccessAtMillis;
    private long bytes;

    public PeerQueue() {
    }

    @JsonCreator
    PeerQueue(@JsonProperty("items") List<QueuedPdu> items, @JsonProperty("lastSequence") long lastSequence,
              @JsonProperty("lastSuccessAtMillis") long lastSuccessAtMillis) {
        items.forEach(this::add);
        this.lastSequence = lastSequence;
        this.lastSuccessAtMillis = lastSuccessAtMillis;
    }

    @JsonProperty("items")
    public List<QueuedPdu> itemsInOrder() {
        return new ArrayList<>(items.values());
    }

    @JsonProperty("lastSequence")
    public long lastSequence() {
        return lastSequence;
    }

    @JsonProperty("lastSuccessAtMillis")
    public long lastSuccessAtMillis() {
        return lastSuccessAtMillis;
    }

    public int size() {
        return items.size();
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public long bytes() {
        return bytes;
    }

    public long oldestEnqueuedAtMillis() {
        return items.isEmpty() ? 0 : items.firstEntry().getValue().enqueuedAtMillis();
    }

    QueuedPdu get(long sequence) {
        return items.get(sequence);
    }

    void add(QueuedPdu item) {
        items.put(item.sequence(), item);
        bytes += item.pdu().length;
        lastSequence = Math.max(lastSequence, item.sequence());
    }

    /** Removes every item up to and including {@code sequence}. */
    void acknowledge(long sequence, long atMillis) {
        removeAll(new ArrayList<>(items.headMap(sequence, true).keySet()));
        lastSuccessAtMillis = Math.max(lastSuccessAtMillis, atMillis);
    }

    void removeAll(Collection<Long> sequences) {
        for (long sequence : sequences) {
            QueuedPdu removed = items.remove(sequence);
            if (removed != null) {
                bytes -= removed.pdu().length;
            }
        }
    }

    List<QueuedPdu> upTo(long sequence) {
        return new ArrayList<>(items.headMap(sequence, true).values());
    }

    List<Long> expiredAt(long nowMillis) {
        return items.values().stream().filter(item -> item.expiredAt(nowMillis)).map(QueuedPdu::sequence).toList();
    }

    /** The oldest items within both limits; always at least one, so an oversized PDU still goes out alone. */
    List<QueuedPdu> nextBatch(int maxPdus, long maxBytes) {
        List<QueuedPdu> batch = new ArrayList<>();
        long batchBytes = 0;
        for (QueuedPdu item : items.values()) {
            if (batch.size() == maxPdus || (!batch.isEmpty() && batchBytes + item.pdu().length > maxBytes)) {
                break;
            }
            batch.add(item);
            batchBytes += item.pdu().length;
        }
        return batch;
    }
}
