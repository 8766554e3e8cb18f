package org.securecomm.relay.media;

import org.securecomm.relay.CborSerializable;

/**
 * What a CallRoom asks of the media forwarder it chose (the one of the node it runs on): a room
 * per call incarnation, and per device and (re)join a fresh token that admits its datagrams.
 * All of it is soft state of the forwarder: a restart forgets it and the devices JoinCall again.
 * Safe to call from any thread.
 */
public interface MediaAdmission {

    /** Where one device sends its media in one call (the MediaRoute of CallStarted / CallJoined). */
    record Route(String host, int port, long roomId, long token) implements CborSerializable {
    }

    /** Opens a room with a new random id and answers the id. */
    long openRoom();

    /** Admits a new random token into the room; null when the room is not open (closed, or never was). */
    Route admit(long roomId);

    /** The token's datagrams are dropped from now on; unknown rooms and tokens are ignored. */
    void revoke(long roomId, long token);

    /** Forgets the room and every token in it; unknown rooms are ignored. */
    void closeRoom(long roomId);
}
