package org.securecomm.relay.account;

/**
 * A prekey signed by the account's identity key (signed EC prekey, Kyber prekeys). The relay
 * stores the signature as given: the fetching device verifies it, so a relay cannot forge keys.
 */
public record SignedPreKey(int keyId, byte[] publicKey, byte[] signature) {
}
