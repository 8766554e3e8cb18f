package org.securecomm.client.linking;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.securecomm.client.crypto.Vault;
import org.signal.libsignal.protocol.ecc.ECPrivateKey;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.kdf.HKDF;

/**
 * The key agreement of device linking. Both devices hold an ephemeral X25519 key; the new
 * device's public key reaches the existing device out of band (the link the user copies or
 * scans), the existing device's through the relay. From the shared secret and BOTH public keys
 * they derive an AES key for the account data and a 6-digit confirmation code. A relay that
 * swapped the existing device's key makes the two codes differ, and the user (typing the new
 * device's code into the existing one) stops the link before anything secret is sent.
 */
public record LinkingCrypto(byte[] sealingKey, String confirmationCode) {

    private static final byte[] INFO = "securecomm/link/v1".getBytes(StandardCharsets.UTF_8);
    private static final String ACCOUNT_AAD = "securecomm/link/account";

    public static LinkingCrypto derive(ECPrivateKey ownPrivate, ECPublicKey peerPublic, ECPublicKey existingDevicePublic,
                                       ECPublicKey newDevicePublic) {
        byte[] shared = ownPrivate.calculateAgreement(peerPublic);
        byte[] salt = ByteBuffer.allocate(66).put(existingDevicePublic.serialize()).put(newDevicePublic.serialize()).array();
        byte[] derived = HKDF.deriveSecrets(shared, salt, INFO, 36);
        int number = ByteBuffer.wrap(derived, 32, 4).getInt() & 0x7fffffff;
        return new LinkingCrypto(Arrays.copyOf(derived, 32), String.format("%06d", number % 1_000_000));
    }

    /** Constant-time comparison of what the user typed with the code of this agreement. */
    public boolean codeMatches(String typed) {
        String digits = typed == null ? "" : typed.replaceAll("\\s", "");
        return MessageDigest.isEqual(digits.getBytes(StandardCharsets.US_ASCII), confirmationCode.getBytes(StandardCharsets.US_ASCII));
    }

    public byte[] seal(byte[] account) {
        return new Vault(sealingKey).seal(ACCOUNT_AAD, account);
    }

    public byte[] open(byte[] sealed) {
        return new Vault(sealingKey).open(ACCOUNT_AAD, sealed);
    }
}
