package org.securecomm.federation;

import java.util.Objects;
import org.securecomm.protocol.federation.v1.RequestHeader;

/**
 * A request that passed every check of {@link RequestVerifier}: it comes from {@code origin}, for
 * this cluster, once. The body is not parsed yet (its type depends on the operation), and its
 * sender addresses still need {@link OriginCheck}.
 *
 * @param origin the sending cluster's domain
 * @param header the signed header as parsed
 * @param body   the serialized Transaction or Query (owned by the caller; not copied)
 * @param keyId  the origin's key that signed
 */
public record VerifiedRequest(String origin, RequestHeader header, byte[] body, String keyId) {

    public VerifiedRequest {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(keyId, "keyId");
    }
}
