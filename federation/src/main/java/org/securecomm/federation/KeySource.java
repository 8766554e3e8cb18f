package org.securecomm.federation;

import java.util.concurrent.CompletionStage;

/**
 * Where verified peer descriptions come from. {@link DomainResolver} fetches them over HTTPS;
 * tests and static deployments may answer from memory. Stages complete exceptionally with a
 * {@link FederationRejection} (ORIGIN_UNREACHABLE) when no valid description is known.
 */
public interface KeySource {

    /** The peer's description, from a cache when one is still valid. */
    CompletionStage<PeerDescription> describe(String domain);

    /**
     * A fresh description, for a request signed by a key id the cached one does not list (the peer
     * rotated). Implementations may rate-limit this and answer from the cache instead, so unknown
     * key ids cannot make them hammer a peer.
     */
    CompletionStage<PeerDescription> refresh(String domain);
}
