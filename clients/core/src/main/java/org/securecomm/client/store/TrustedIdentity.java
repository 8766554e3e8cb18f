package org.securecomm.client.store;

import org.signal.libsignal.protocol.IdentityKey;

/**
 * What this profile knows of a contact's identity key.
 *
 * @param verified the user compared safety numbers for exactly this key
 * @param accepted sending to this key is allowed (first key seen, or the user accepted a change)
 * @param changed  the key replaced an earlier one and the user has not acknowledged it yet
 */
public record TrustedIdentity(String address, IdentityKey key, boolean verified, boolean accepted, boolean changed) {
}
