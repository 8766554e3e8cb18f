package org.securecomm.federation;

import java.util.Objects;
import org.securecomm.protocol.federation.v1.FederationError;
import org.securecomm.protocol.federation.v1.Rejection;

/**
 * Why this cluster refuses a federation request (or a peer's description), in the wire's terms. The
 * relay answers it as {@link #toError()} with {@link #httpStatus()}. The message is for the peer's
 * operators and our logs: it names what was wrong, never key material or body bytes.
 *
 * <p>Rejections are expected under attack (floods of forged requests), so no stack trace is filled.
 */
public final class FederationRejection extends Exception {

    private static final long serialVersionUID = 1L;

    private final Rejection rejection;
    private final int retryAfterSeconds;

    public FederationRejection(Rejection rejection, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.rejection = Objects.requireNonNull(rejection, "rejection");
        if (retryAfterSeconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must not be negative");
        }
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public FederationRejection(Rejection rejection, String message) {
        this(rejection, message, 0);
    }

    public Rejection rejection() {
        return rejection;
    }

    /** Seconds the peer should wait before trying again (RATE_LIMITED), 0 when not said. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The body of the refusal. */
    public FederationError toError() {
        return FederationError.newBuilder()
                .setRejection(rejection)
                .setMessage(getMessage() == null ? "" : getMessage())
                .setRetryAfterSeconds(retryAfterSeconds)
                .build();
    }

    /** The HTTP status of the refusal (docs/federation.md lists them). */
    public int httpStatus() {
        return httpStatus(rejection);
    }

    /**
     * 400 the request itself is wrong; 401 it is not proven to come from the origin; 403 proven or
     * not, this cluster will not take it; 409 already seen; 413 too large; 429 slow down; 502 we could
     * not learn the origin's keys. APPLICATION_ERROR travels inside a FederationResponse (HTTP 200).
     */
    public static int httpStatus(Rejection rejection) {
        switch (rejection) {
            case MALFORMED_REQUEST:
            case SENDER_NOT_OF_ORIGIN:
                return 400;
            case BAD_SIGNATURE:
            case UNKNOWN_KEY:
            case EXPIRED_KEY:
            case CLOCK_SKEW:
                return 401;
            case PEER_NOT_ALLOWED:
            case WRONG_DESTINATION:
                return 403;
            case REPLAYED:
                return 409;
            case TOO_LARGE:
                return 413;
            case RATE_LIMITED:
                return 429;
            case ORIGIN_UNREACHABLE:
                return 502;
            case APPLICATION_ERROR:
                return 200;
            default:
                return 500;
        }
    }

    @Override
    public String toString() {
        return "FederationRejection[" + rejection + ": " + getMessage() + "]";
    }
}
