package org.securecomm.relay.media;

import java.time.Instant;

/**
 * Counters of one cascade link: MEDIA datagrams (and their bytes) sent up to the remote
 * forwarder and forwarded media received down from it; keepalives sent and echoes received, the
 * time of the last echo (null before the first: the remote never answered); and drops: datagrams
 * on the link's socket from anyone but the remote (or malformed), and up copies the socket could
 * not take.
 */
public record LinkStats(long packetsUp, long bytesUp, long packetsDown, long bytesDown, long keepalivesSent, long echoes,
                        Instant lastEcho, long dropped) {
}
