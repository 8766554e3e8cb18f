package org.securecomm.federation;

import java.util.Objects;
import org.securecomm.protocol.federation.v1.FederationError;
import org.securecomm.protocol.federation.v1.Rejection;

/**
 * The peer answered with a non-200 status: it refused the request before applying it, and said why
 * in a FederationError (one with REJECTION_UNSPECIFIED when its answer carried none).
 */
public final class PeerRejectedException extends FederationSendException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final transient FederationError error;

    public PeerRejectedException(String destination, int httpStatus, FederationError error) {
        super(destination + " refused the request: HTTP " + httpStatus + " " + error.getRejection() + " " + error.getMessage(), null);
        this.httpStatus = httpStatus;
        this.error = Objects.requireNonNull(error, "error");
    }

    public int httpStatus() {
        return httpStatus;
    }

    public FederationError error() {
        return error;
    }

    public Rejection rejection() {
        return error.getRejection();
    }

    /** Seconds the peer asked us to wait, 0 when it did not say. */
    public int retryAfterSeconds() {
        return error.getRetryAfterSeconds();
    }

    /**
     * Rate limits and the peer failing to fetch our description pass; a server error may too. Every
     * other rejection repeats for the same request (a bad signature stays bad).
     */
    @Override
    public boolean retryable() {
        return error.getRejection() == Rejection.RATE_LIMITED
                || error.getRejection() == Rejection.ORIGIN_UNREACHABLE
                || httpStatus >= 500;
    }
}
