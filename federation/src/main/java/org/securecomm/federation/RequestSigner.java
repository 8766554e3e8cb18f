package org.securecomm.federation;

import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import org.securecomm.protocol.federation.v1.RequestHeader;
import org.securecomm.protocol.federation.v1.SignedRequest;

/**
 * Signs outgoing federation requests. The signature covers the serialized {@link RequestHeader},
 * which binds the body through its SHA-256 digest; receivers verify the header bytes exactly as
 * sent, so no canonical encoding is needed.
 */
public final class RequestSigner {

    public static final int TRANSACTION_ID_BYTES = 16;
    public static final int DIGEST_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestSigner() {
    }

    /** Signs with a fresh random 16-byte transaction id: every attempt is a new request. */
    public static SignedRequest sign(ServerKeyPair key, String origin, String destination, String operation, byte[] body, Instant now) {
        byte[] transactionId = new byte[TRANSACTION_ID_BYTES];
        RANDOM.nextBytes(transactionId);
        return sign(key, origin, destination, operation, body, now, transactionId);
    }

    /** Signs with the given transaction id (test vectors; never reuse an id in production). */
    public static SignedRequest sign(ServerKeyPair key, String origin, String destination, String operation, byte[] body,
                                     Instant now, byte[] transactionId) {
        if (transactionId.length != TRANSACTION_ID_BYTES) {
            throw new IllegalArgumentException("a transaction id is 16 bytes");
        }
        byte[] header = RequestHeader.newBuilder()
                .setOrigin(origin)
                .setDestination(destination)
                .setTimestampMillis(now.toEpochMilli())
                .setTransactionId(ByteString.copyFrom(transactionId))
                .setBodyDigest(ByteString.copyFrom(sha256(body)))
                .setKeyId(key.keyId())
                .setOperation(operation)
                .build()
                .toByteArray();
        return SignedRequest.newBuilder()
                .setHeader(ByteString.copyFrom(header))
                .setSignature(ByteString.copyFrom(key.sign(FederationSignatures.REQUEST_CONTEXT, header)))
                .setBody(ByteString.copyFrom(body))
                .build();
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
