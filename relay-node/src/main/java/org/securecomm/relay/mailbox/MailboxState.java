package org.securecomm.relay.mailbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import org.securecomm.relay.CborSerializable;

/**
 * The envelopes queued for one device, oldest first. Mutable on purpose: a queue of thousands of
 * envelopes must not be copied on every enqueue; Pekko applies events to it one at a time.
 */
public final class MailboxState implements CborSerializable {

    private final LinkedHashMap<UUID, StoredEnvelope> envelopes = new LinkedHashMap<>();

    public MailboxState() {
    }

    @JsonCreator
    MailboxState(@JsonProperty("envelopes") List<StoredEnvelope> envelopes) {
        envelopes.forEach(this::add);
    }

    @JsonProperty("envelopes")
    public List<StoredEnvelope> envelopesInOrder() {
        return new ArrayList<>(envelopes.values());
    }

    Collection<StoredEnvelope> envelopes() {
        return envelopes.values();
    }

    public int size() {
        return envelopes.size();
    }

    public boolean contains(UUID id) {
        return envelopes.containsKey(id);
    }

    void add(StoredEnvelope envelope) {
        envelopes.put(envelope.id(), envelope);
    }

    /** Removes the envelopes and answers how many content bytes they held. */
    long remove(Collection<UUID> ids) {
        long removedBytes = 0;
        for (UUID id : ids) {
            StoredEnvelope removed = envelopes.remove(id);
            if (removed != null) {
                removedBytes += removed.content().length;
            }
        }
        return removedBytes;
    }

    /** Ids of envelopes whose server timestamp is at or before {@code cutoffMillis}. */
    List<UUID> expiredAt(long cutoffMillis) {
        return envelopes.values().stream().filter(e -> e.serverTimestamp() <= cutoffMillis).map(StoredEnvelope::id).toList();
    }

    public long oldestServerTimestamp() {
        return envelopes.isEmpty() ? 0 : envelopes.values().iterator().next().serverTimestamp();
    }
}
