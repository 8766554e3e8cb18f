package org.securecomm.federation;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The one signing rule of federation: pure Ed25519 (RFC 8032) over
 * {@code ASCII(context) || 0x00 || message}. The context string separates the two kinds of signed
 * object, so a signature over a request header can never be replayed as a signature over a server
 * description (or the reverse), even if the bytes happened to parse as both.
 */
public final class FederationSignatures {

    /** Context of signed request headers. */
    public static final String REQUEST_CONTEXT = "SecureComm-Federation-Request-v1";
    /** Context of signed server descriptions. */
    public static final String DESCRIPTION_CONTEXT = "SecureComm-Federation-Description-v1";

    public static final int PUBLIC_KEY_BYTES = Ed25519PublicKeyParameters.KEY_SIZE;
    public static final int SEED_BYTES = Ed25519PrivateKeyParameters.KEY_SIZE;
    public static final int SIGNATURE_BYTES = Ed25519PrivateKeyParameters.SIGNATURE_SIZE;

    private FederationSignatures() {
    }

    /** The exact bytes that are signed: {@code context || 0x00 || message}. */
    public static byte[] signingInput(String context, byte[] message) {
        byte[] prefix = context.getBytes(StandardCharsets.US_ASCII);
        byte[] input = new byte[prefix.length + 1 + message.length];
        System.arraycopy(prefix, 0, input, 0, prefix.length);
        input[prefix.length] = 0;
        System.arraycopy(message, 0, input, prefix.length + 1, message.length);
        return input;
    }

    static byte[] sign(Ed25519PrivateKeyParameters key, String context, byte[] message) {
        byte[] input = signingInput(context, message);
        byte[] signature = new byte[SIGNATURE_BYTES];
        key.sign(Ed25519.Algorithm.Ed25519, null, input, 0, input.length, signature, 0);
        return signature;
    }

    /**
     * @return false for a wrong signature, a signature of the wrong length or a public key that is
     *         not a valid curve point; never throws on hostile input
     */
    public static boolean verify(byte[] publicKey, String context, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_BYTES || signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        Ed25519PublicKeyParameters key;
        try {
            key = new Ed25519PublicKeyParameters(publicKey, 0);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] input = signingInput(context, message);
        return key.verify(Ed25519.Algorithm.Ed25519, null, input, 0, input.length, signature, 0);
    }

    /** Whether the 32 bytes decode to a point of the curve (a key a peer may publish). */
    static boolean isValidPublicKey(byte[] publicKey) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_BYTES) {
            return false;
        }
        try {
            new Ed25519PublicKeyParameters(publicKey, 0);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
