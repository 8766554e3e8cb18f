package org.securecomm.client.messaging;

/**
 * The relay could not be reached, or did not answer, until the send deadline: the request stays
 * in the outbox and is resent (same id, same bytes) on the next connection. Not a failure of the
 * message: its state is pending.
 */
public final class SendPendingException extends RuntimeException {

    public SendPendingException(String message, Throwable cause) {
        super(message, cause);
    }
}
