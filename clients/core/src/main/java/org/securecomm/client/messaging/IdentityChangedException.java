package org.securecomm.client.messaging;

/**
 * Sending stopped because a contact's identity key changed and the user has not accepted the new
 * key yet (safety numbers changed: the contact re-installed, or someone is in the middle).
 */
public final class IdentityChangedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String address;

    public IdentityChangedException(String address) {
        super("the identity key of " + address + " changed: compare safety numbers, then accept the new key (trust " + address + ")");
        this.address = address;
    }

    public String address() {
        return address;
    }
}
