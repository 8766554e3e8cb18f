package org.securecomm.client.call.transport;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;

/**
 * The RELAY policy for ice4j, which has none: ice4j pairs every local candidate with every remote
 * one, so a host candidate (needed as the base of the TURN allocation) would still be checked and
 * could win. After gathering, the non-relay candidates leave the component's candidate list, so
 * they are never paired, while their sockets stay open to carry the TURN traffic until
 * {@link #close}. ice4j 3.2 exposes no removal, hence the private field (pinned version; a change
 * there fails loudly here, never silently with a direct path).
 */
final class RelayOnlyCandidates {

    private final List<LocalCandidate> bases;

    private RelayOnlyCandidates(List<LocalCandidate> bases) {
        this.bases = bases;
    }

    static RelayOnlyCandidates restrict(Component component) {
        List<LocalCandidate> removed = new ArrayList<>();
        List<?> candidates = localCandidates(component);
        synchronized (candidates) {
            Iterator<?> iterator = candidates.iterator();
            while (iterator.hasNext()) {
                LocalCandidate candidate = (LocalCandidate) iterator.next();
                if (candidate.getType() != CandidateType.RELAYED_CANDIDATE) {
                    removed.add(candidate);
                    iterator.remove();
                }
            }
        }
        return new RelayOnlyCandidates(List.copyOf(removed));
    }

    private static List<?> localCandidates(Component component) {
        try {
            Field field = Component.class.getDeclaredField("localCandidates");
            field.setAccessible(true);
            return (List<?>) field.get(component);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this ice4j version does not allow the RELAY policy"
                    + " (Component.localCandidates changed)", e);
        }
    }

    /** Closes the sockets of the removed candidates: the agent, which no longer knows them, does not. */
    void close() {
        for (LocalCandidate base : bases) {
            // Server-reflexive candidates share their host candidate's socket.
            if (base instanceof HostCandidate host && host.getCandidateIceSocketWrapper() != null) {
                host.getCandidateIceSocketWrapper().close();
            }
        }
    }
}
