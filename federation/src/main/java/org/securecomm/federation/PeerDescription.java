package org.securecomm.federation;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.securecomm.protocol.federation.v1.ServerKey;

/**
 * A peer's verified description: where to send it requests and which keys sign its requests.
 * Only {@link ServerDescriptions#verify} creates trusted instances from the network.
 *
 * @param domain     the peer's domain
 * @param endpoint   its federation endpoint, https, without a trailing slash
 * @param keys       its published keys, current first
 * @param validUntil never use the description after this instant
 */
public record PeerDescription(String domain, URI endpoint, List<ServerKey> keys, Instant validUntil) {

    public PeerDescription {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(validUntil, "validUntil");
        keys = List.copyOf(keys);
    }

    /** The published key with this id, if any. */
    public Optional<ServerKey> key(String keyId) {
        for (ServerKey key : keys) {
            if (key.getKeyId().equals(keyId)) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    public boolean isValidAt(Instant now) {
        return now.isBefore(validUntil);
    }
}
