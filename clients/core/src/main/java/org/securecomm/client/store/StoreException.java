package org.securecomm.client.store;

/** The profile database failed (I/O, corruption); never expected in normal operation. */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(Throwable cause) {
        super("profile database error: " + cause.getMessage(), cause);
    }
}
