package org.securecomm.federation;

import org.securecomm.protocol.Address;
import org.securecomm.protocol.federation.v1.Rejection;

/**
 * A verified request proves only which cluster sent it; each address inside its body that claims
 * to be a sender must belong to that cluster, or one peer could speak for another's users.
 */
public final class OriginCheck {

    private OriginCheck() {
    }

    /**
     * @throws FederationRejection MALFORMED_REQUEST when {@code address} is not an address,
     *                             SENDER_NOT_OF_ORIGIN when it is of another domain than {@code origin}
     */
    public static Address requireOfOrigin(String address, String origin) throws FederationRejection {
        Address parsed;
        try {
            parsed = Address.parse(address);
        } catch (IllegalArgumentException e) {
            throw new FederationRejection(Rejection.MALFORMED_REQUEST, "not an address: " + ServerDescriptions.safe(address == null ? "" : address));
        }
        if (!parsed.domain().equals(origin)) {
            throw new FederationRejection(Rejection.SENDER_NOT_OF_ORIGIN, "address of " + parsed.domain() + " in a request from " + origin);
        }
        return parsed;
    }
}
