package org.securecomm.relay.account;

/** A one-time EC prekey: public half only; the private half never leaves the device. */
public record PreKey(int keyId, byte[] publicKey) {
}
