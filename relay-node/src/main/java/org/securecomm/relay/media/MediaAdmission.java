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

    /**
     * A cascade link of a local room to a room of another forwarder (docs/protocol.md, "Cascade
     * between forwarders"): this forwarder acts there as one participant, admitted with
     * {@code remoteToken} in {@code remoteRoomId}, from its own UDP socket on {@code localPort}.
     */
    record Link(long localRoomId, String remoteHost, int remotePort, long remoteRoomId, long remoteToken, int localPort)
            implements CborSerializable {
    }

    /** Opens a room with a new random id and answers the id. */
    long openRoom();

    /** Admits a new random token into the room; null when the room is not open (closed, or never was). */
    Route admit(long roomId);

    /** The token's datagrams are dropped from now on; unknown rooms and tokens are ignored. */
    void revoke(long roomId, long token);

    /** Forgets the room and every token in it, and closes its cascade links; unknown rooms are ignored. */
    void closeRoom(long roomId);

    /**
     * Links the local room to a room of a remote forwarder: local participants' media goes there,
     * what the remote forwards comes back to the local participants. A new link to the same
     * remote host and port replaces the room's previous one (the remote room was reopened). Binds
     * a UDP socket and may resolve {@code remoteHost}: call it off actor threads. Null when the
     * local room is not open or the forwarder is closed.
     */
    Link linkCascade(long localRoomId, String remoteHost, int remotePort, long remoteRoomId, long remoteToken);

    /** Closes the room's link to that remote host and port; unknown rooms and links are ignored. */
    void unlinkCascade(long localRoomId, String remoteHost, int remotePort);

    /** Counters of a room's link to that remote forwarder; null when the room or link is unknown (closed, unlinked). */
    LinkStats linkStats(long roomId, String remoteHost, int remotePort);
}
