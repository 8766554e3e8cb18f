package org.securecomm.relay.media;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admitted tokens and the cascade links of one call at this forwarder. Admission and link
 * changes are rare and forwarding is per datagram, so forwarding reads arrays that those
 * changes replace (copy on write).
 */
final class MediaRoom {

    private static final MediaParticipant[] NONE = new MediaParticipant[0];
    private static final CascadeLink[] NO_LINKS = new CascadeLink[0];

    final long id;
    private final Map<Long, MediaParticipant> byToken = new ConcurrentHashMap<>();
    private volatile MediaParticipant[] members = NONE;
    private volatile CascadeLink[] links = NO_LINKS;
    private boolean closed;

    MediaRoom(long id) {
        this.id = id;
    }

    MediaParticipant participant(long token) {
        return byToken.get(token);
    }

    MediaParticipant[] members() {
        return members;
    }

    CascadeLink[] links() {
        return links;
    }

    CascadeLink link(String remoteHost, int remotePort) {
        for (CascadeLink link : links) {
            if (link.isTo(remoteHost, remotePort)) {
                return link;
            }
        }
        return null;
    }

    /**
     * Adds a started link, replacing (and closing) one to the same remote; answers false, and the
     * caller closes the link, when the room closed meanwhile (so no link outlives its room).
     */
    synchronized boolean addLink(CascadeLink link) {
        if (closed) {
            return false;
        }
        CascadeLink[] others = without(link(link.remoteHost(), link.remotePort()));
        CascadeLink[] grown = Arrays.copyOf(others, others.length + 1);
        grown[others.length] = link;
        links = grown;
        return true;
    }

    synchronized void removeLink(String remoteHost, int remotePort) {
        without(link(remoteHost, remotePort));
    }

    /** Closes every link; the room forwards nothing from now on (a datagram in flight finds no members). */
    synchronized void close() {
        closed = true;
        for (CascadeLink link : links) {
            link.close();
        }
        links = NO_LINKS;
        members = NONE;
    }

    // Called under the lock: drops and closes {@code link} (null: nothing), answers the links left.
    private CascadeLink[] without(CascadeLink link) {
        if (link != null) {
            links = Arrays.stream(links).filter(l -> l != link).toArray(CascadeLink[]::new);
            link.close();
        }
        return links;
    }

    /** Answers false when the token is taken already (the caller draws another). */
    synchronized boolean add(long token) {
        if (byToken.containsKey(token)) {
            return false;
        }
        MediaParticipant participant = new MediaParticipant(token);
        byToken.put(token, participant);
        MediaParticipant[] grown = Arrays.copyOf(members, members.length + 1);
        grown[members.length] = participant;
        members = grown;
        return true;
    }

    synchronized void remove(long token) {
        MediaParticipant removed = byToken.remove(token);
        if (removed != null) {
            members = Arrays.stream(members).filter(p -> p != removed).toArray(MediaParticipant[]::new);
        }
    }
}
