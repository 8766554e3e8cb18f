package org.securecomm.client.linking;

/** Linking stopped: wrong confirmation code, timeout, or a message that does not open. */
public final class LinkingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LinkingException(String message) {
        super(message);
    }
}
