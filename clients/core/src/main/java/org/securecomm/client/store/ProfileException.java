package org.securecomm.client.store;

/** A profile cannot be used as asked: missing, already there, locked, or the passphrase is wrong. */
public final class ProfileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProfileException(String message) {
        super(message);
    }
}
