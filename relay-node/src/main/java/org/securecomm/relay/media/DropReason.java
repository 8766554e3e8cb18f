package org.securecomm.relay.media;

/** Why the forwarder dropped a datagram (a label of securecomm_media_dropped). */
public enum DropReason {
    /** Too short, too long (over MediaDatagrams.MAX_DATAGRAM), wrong length for its type or an unknown type byte. */
    MALFORMED,
    /** The room id names no open room (never opened, or closed when its call ended). */
    UNKNOWN_ROOM,
    /** The token is not admitted in that room: another call's, revoked after a leave or rejoin, or made up. */
    NOT_ADMITTED,
    /** The hop sequence number was seen already or is older than the replay window. */
    REPLAYED,
    /** The forwarder's socket could not take more: the copy for one receiver was dropped. */
    OVERLOADED,
    /**
     * Arrived on a cascade link's socket from an address other than the linked remote forwarder's.
     * Its own reason, not NOT_ADMITTED: that one means a wrong token on the client port, this one
     * that someone probes or spoofs the port a link opened towards another operator's forwarder.
     */
    NOT_LINKED;

    /** Label value for metrics. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
