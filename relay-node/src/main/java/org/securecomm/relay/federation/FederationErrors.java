package org.securecomm.relay.federation;

import org.securecomm.federation.PeerRejectedException;
import org.securecomm.federation.PeerUnreachableException;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.FederationError;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.relay.ApiException;

/** What a device is told when another cluster refused, failed or could not be reached. */
final class FederationErrors {

    private FederationErrors() {
    }

    /** A refusal the other cluster answered for one PDU or query (unknown account, other devices...). */
    static ApiException refused(PduResult result, String destination) {
        return new ApiException(result.getError(), destination + ": " + result.getMessage(), 0,
                result.hasMismatchedDevices() ? result.getMismatchedDevices() : null);
    }

    static ApiException refused(FederationError error, String domain) {
        if (error.getRejection() == Rejection.APPLICATION_ERROR) {
            return new ApiException(error.getCode(), domain + ": " + error.getMessage(), error.getRetryAfterSeconds(),
                    error.hasMismatchedDevices() ? error.getMismatchedDevices() : null);
        }
        if (error.getRejection() == Rejection.PEER_NOT_ALLOWED) {
            return new ApiException(ErrorCode.FEDERATION_REFUSED, domain + " does not federate with this cluster");
        }
        if (error.getRejection() == Rejection.RATE_LIMITED) {
            return new ApiException(ErrorCode.RATE_LIMITED, domain + " is rate limiting this cluster", error.getRetryAfterSeconds(), null);
        }
        // Anything else means the two clusters disagree (keys, clocks, configuration): an operator matter.
        return new ApiException(ErrorCode.UNAVAILABLE, domain + " refused this cluster's request (" + error.getRejection() + "): "
                + error.getMessage());
    }

    /** Maps a failed call to another cluster to what the device is answered. */
    static RuntimeException of(Throwable failure, String domain) {
        Throwable cause = ErrorText.cause(failure);
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof PeerRejectedException rejected) {
            return refused(rejected.error(), domain);
        }
        if (cause instanceof PeerUnreachableException) {
            return new ApiException(ErrorCode.UNAVAILABLE, domain + " cannot be reached now: " + cause.getMessage());
        }
        return new ApiException(ErrorCode.INTERNAL_ERROR, "federation with " + domain + " failed");
    }
}
