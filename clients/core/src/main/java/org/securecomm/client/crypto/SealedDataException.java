package org.securecomm.client.crypto;

/** Sealed data did not open: wrong key (passphrase) or tampering. */
public final class SealedDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SealedDataException(String message) {
        super(message);
    }
}
