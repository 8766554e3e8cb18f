package org.securecomm.relay;

import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.MismatchedDevices;

/**
 * A request failed for a reason the client should hear: carries the stable error code of the
 * client protocol. Anything else that fails a request is reported as INTERNAL_ERROR.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final long retryAfterSeconds;
    private final transient MismatchedDevices mismatchedDevices;
    private final transient MismatchedDevices ownMismatchedDevices;

    public ApiException(ErrorCode code, String message) {
        this(code, message, 0, null);
    }

    public ApiException(ErrorCode code, String message, long retryAfterSeconds, MismatchedDevices mismatchedDevices) {
        this(code, message, retryAfterSeconds, mismatchedDevices, null);
    }

    public ApiException(ErrorCode code, String message, long retryAfterSeconds, MismatchedDevices mismatchedDevices,
                        MismatchedDevices ownMismatchedDevices) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.mismatchedDevices = mismatchedDevices;
        this.ownMismatchedDevices = ownMismatchedDevices;
    }

    public static ApiException rateLimited(String message, long retryAfterSeconds) {
        return new ApiException(ErrorCode.RATE_LIMITED, message, Math.max(1, retryAfterSeconds), null);
    }

    public ErrorCode code() {
        return code;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public MismatchedDevices mismatchedDevices() {
        return mismatchedDevices;
    }

    public MismatchedDevices ownMismatchedDevices() {
        return ownMismatchedDevices;
    }
}
