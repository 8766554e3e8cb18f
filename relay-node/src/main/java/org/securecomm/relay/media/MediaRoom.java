package org.securecomm.relay.media;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admitted tokens of one call at this forwarder. Admission changes are rare and forwarding
 * is per datagram, so forwarding reads an array that admission replaces (copy on write).
 */
final class MediaRoom {

    private static final MediaParticipant[] NONE = new MediaParticipant[0];

    final long id;
    private final Map<Long, MediaParticipant> byToken = new ConcurrentHashMap<>();
    private volatile MediaParticipant[] members = NONE;

    MediaRoom(long id) {
        this.id = id;
    }

    MediaParticipant participant(long token) {
        return byToken.get(token);
    }

    MediaParticipant[] members() {
        return members;
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
