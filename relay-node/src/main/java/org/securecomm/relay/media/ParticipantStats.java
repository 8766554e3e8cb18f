package org.securecomm.relay.media;

/**
 * Counters of one admitted token: datagrams (and their bytes) accepted from it, sent to it
 * (forwarded media and keepalive echoes), and dropped: its own replays, and copies for it that the
 * forwarder's socket could not take (overloaded). Datagrams that name no admitted token count
 * only globally ({@link MediaForwarder#dropped}).
 */
public record ParticipantStats(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long dropped) {
}
