package org.securecomm.federation;

/**
 * No usable answer from the peer: its description could not be fetched, the connection or TLS
 * failed, it timed out, or it answered something that is not a federation response. Always
 * retryable: nothing says the peer saw the request.
 */
public final class PeerUnreachableException extends FederationSendException {

    private static final long serialVersionUID = 1L;

    public PeerUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
