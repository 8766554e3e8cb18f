package org.securecomm.relay.media;

/**
 * Counters of one admitted token: datagrams (and their bytes) accepted from it, sent to it
 * (forwarded media and keepalive echoes), and its own datagrams dropped (replays).
 */
public record ParticipantStats(long packetsIn, long bytesIn, long packetsOut, long bytesOut, long dropped) {
}
