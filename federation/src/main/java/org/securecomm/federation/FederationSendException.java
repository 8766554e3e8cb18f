package org.securecomm.federation;

/**
 * Why {@link FederationClient#send} did not get an answer: the peer refused the request
 * ({@link PeerRejectedException}) or could not be reached ({@link PeerUnreachableException}).
 * {@link #retryable()} tells an outbound queue whether trying the same PDUs again later can help.
 */
public abstract sealed class FederationSendException extends Exception permits PeerRejectedException, PeerUnreachableException {

    private static final long serialVersionUID = 1L;

    FederationSendException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether sending again later (re-signed) may succeed. */
    public abstract boolean retryable();
}
