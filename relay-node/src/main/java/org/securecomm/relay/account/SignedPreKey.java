package org.securecomm.relay.account;

import com.google.protobuf.ByteString;

/**
 * A prekey signed by the account's identity key (signed EC prekey, Kyber prekeys). The relay
 * stores the signature as given: the fetching device verifies it, so a relay cannot forge keys.
 */
public record SignedPreKey(int keyId, byte[] publicKey, byte[] signature) {

    public org.securecomm.protocol.client.v1.SignedPreKey toMessage() {
        return org.securecomm.protocol.client.v1.SignedPreKey.newBuilder().setKeyId(keyId)
                .setPublicKey(com.google.protobuf.ByteString.copyFrom(publicKey))
                .setSignature(com.google.protobuf.ByteString.copyFrom(signature)).build();
    }
}
