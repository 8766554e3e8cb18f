package org.securecomm.relay.federation.inbound;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.relay.CborSerializable;

/**
 * What one origin's inbox remembers: every PDU up to {@code appliedThrough} is applied, and the
 * results of the last {@link #REMEMBERED} applied PDUs, so a retried transaction is answered with
 * the results it got the first time. Mutable, like the other entity states.
 */
// Only the @JsonProperty accessors form the snapshot (Pekko's mapper would otherwise add every field).
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class InboxState implements CborSerializable {

    static final int REMEMBERED = 1000;

    /** One remembered result: the serialized PduResult of {@code sequence}. */
    public record RememberedResult(long sequence, byte[] result) implements CborSerializable {
    }

    private long appliedThrough;
    private final TreeMap<Long, byte[]> results = new TreeMap<>();

    public InboxState() {
    }

    @JsonCreator
    InboxState(@JsonProperty("appliedThrough") long appliedThrough, @JsonProperty("results") List<RememberedResult> results) {
        this.appliedThrough = appliedThrough;
        results.forEach(r -> this.results.put(r.sequence(), r.result()));
    }

    @JsonProperty("appliedThrough")
    public long appliedThrough() {
        return appliedThrough;
    }

    @JsonProperty("results")
    public List<RememberedResult> resultsInOrder() {
        List<RememberedResult> list = new ArrayList<>(results.size());
        for (Map.Entry<Long, byte[]> entry : results.entrySet()) {
            list.add(new RememberedResult(entry.getKey(), entry.getValue()));
        }
        return list;
    }

    void applied(long sequence, byte[] result) {
        appliedThrough = Math.max(appliedThrough, sequence);
        results.put(sequence, result);
        while (results.size() > REMEMBERED) {
            results.pollFirstEntry();
        }
    }

    /** The result {@code sequence} (at or below appliedThrough) got; OK when it is forgotten or was skipped. */
    PduResult resultOf(long sequence) {
        byte[] remembered = results.get(sequence);
        if (remembered != null) {
            try {
                return PduResult.parseFrom(remembered);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("a remembered PduResult no longer parses", e); // it was serialized here
            }
        }
        return PduResult.newBuilder().setSequence(sequence).build();
    }
}
