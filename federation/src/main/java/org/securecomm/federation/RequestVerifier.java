package org.securecomm.federation;

import com.google.protobuf.InvalidProtocolBufferException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.RequestHeader;
import org.securecomm.protocol.federation.v1.ServerKey;
import org.securecomm.protocol.federation.v1.SignedRequest;

/**
 * Verifies inbound federation requests. The checks run cheapest and most selective first, and
 * anything that costs us work on the origin's behalf (fetching its keys, an Ed25519 verification)
 * only after the request is well formed, for us, from an allowed peer within its rate and clock
 * window:
 * <ol>
 *   <li>size &lt;= policy maximum, else TOO_LARGE;</li>
 *   <li>parse SignedRequest and RequestHeader; origin and destination domains, timestamp,
 *       16-byte transaction id, 32-byte digest, well-formed key id, operation equal to the
 *       request path's, else MALFORMED_REQUEST;</li>
 *   <li>destination is this cluster, else WRONG_DESTINATION;</li>
 *   <li>origin allowed by the policy, else PEER_NOT_ALLOWED;</li>
 *   <li>origin within its rate, else RATE_LIMITED (with retry-after);</li>
 *   <li>timestamp within the allowed skew of our clock, else CLOCK_SKEW;</li>
 *   <li>the origin's description via the KeySource, else ORIGIN_UNREACHABLE; a key id it does not
 *       list causes one forced refresh, then UNKNOWN_KEY;</li>
 *   <li>the key valid at the request's timestamp, else EXPIRED_KEY;</li>
 *   <li>the signature (present, 64 bytes, verifies over context || 0x00 || header bytes), else
 *       BAD_SIGNATURE;</li>
 *   <li>SHA-256 of the body equals the header's digest, else MALFORMED_REQUEST;</li>
 *   <li>(origin, transaction id) not seen before, else REPLAYED. It is recorded only here, after
 *       the signature verified, so forgeries cannot poison the guard.</li>
 * </ol>
 * Thread-safe; the synchronous part runs on the caller's thread, the rest where the KeySource
 * completes (at once when its description is cached).
 */
public final class RequestVerifier {

    private final String ownDomain;
    private final Duration allowedSkew;
    private final PeerPolicy policy;
    private final ReplayGuard replayGuard;
    private final KeySource keySource;
    private final Clock clock;

    public RequestVerifier(String ownDomain, Duration allowedSkew, PeerPolicy policy, ReplayGuard replayGuard, KeySource keySource,
                           Clock clock) {
        if (!ServerDescriptions.isValidDomain(ownDomain)) {
            throw new IllegalArgumentException("not a domain: " + ownDomain);
        }
        if (allowedSkew.isNegative() || allowedSkew.isZero()) {
            throw new IllegalArgumentException("allowedSkew must be positive");
        }
        this.ownDomain = ownDomain;
        this.allowedSkew = allowedSkew;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.replayGuard = Objects.requireNonNull(replayGuard, "replayGuard");
        this.keySource = Objects.requireNonNull(keySource, "keySource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param requestBytes      the HTTP body, a serialized SignedRequest
     * @param operationFromPath the last segment of the request path ("transaction", "query")
     * @return the verified request, or a stage failed with a {@link FederationRejection} (not wrapped)
     */
    public CompletionStage<VerifiedRequest> verify(byte[] requestBytes, String operationFromPath) {
        Instant now = clock.instant();
        Parsed parsed;
        try {
            parsed = checkBeforeKeys(requestBytes, operationFromPath, now);
        } catch (FederationRejection e) {
            return CompletableFuture.failedFuture(e);
        }
        String origin = parsed.header.getOrigin();
        return Futures.unwrapped(keySource.describe(origin)
                .handle((description, error) -> keyOrNull(parsed, description, error))
                .thenCompose(key -> key != null
                        ? CompletableFuture.completedFuture(key)
                        : keySource.refresh(origin).handle((description, error) -> requireKey(parsed, description, error)))
                .thenApply(key -> {
                    try {
                        return checkWithKey(parsed, key, now);
                    } catch (FederationRejection e) {
                        throw new CompletionException(e);
                    }
                }));
    }

    private Parsed checkBeforeKeys(byte[] requestBytes, String operationFromPath, Instant now) throws FederationRejection {
        if (requestBytes.length > policy.maxRequestBytes()) {
            throw new FederationRejection(Rejection.TOO_LARGE, "request of " + requestBytes.length + " bytes, limit " + policy.maxRequestBytes());
        }
        SignedRequest request;
        RequestHeader header;
        try {
            request = SignedRequest.parseFrom(requestBytes);
            header = RequestHeader.parseFrom(request.getHeader());
        } catch (InvalidProtocolBufferException e) {
            throw malformed("not a SignedRequest with a RequestHeader");
        }
        checkHeaderFields(header, operationFromPath);
        if (!header.getDestination().equals(ownDomain)) {
            throw new FederationRejection(Rejection.WRONG_DESTINATION,
                    "request for " + header.getDestination() + " sent to " + ownDomain);
        }
        String origin = header.getOrigin();
        if (!policy.allows(origin)) {
            throw new FederationRejection(Rejection.PEER_NOT_ALLOWED, origin + " is not allowed to federate with " + ownDomain);
        }
        int retryAfter = policy.tryAcquire(origin, now);
        if (retryAfter > 0) {
            throw new FederationRejection(Rejection.RATE_LIMITED, "too many requests from " + origin, retryAfter);
        }
        long skewMillis = Math.abs(now.toEpochMilli() - header.getTimestampMillis());
        // A uint64 timestamp above Long.MAX_VALUE reads as negative: abs overflows or stays huge.
        if (header.getTimestampMillis() < 0 || skewMillis < 0 || skewMillis > allowedSkew.toMillis()) {
            throw new FederationRejection(Rejection.CLOCK_SKEW, "request timestamp " + Long.toUnsignedString(header.getTimestampMillis())
                    + " is more than " + allowedSkew.toSeconds() + " s from our clock " + now.toEpochMilli());
        }
        return new Parsed(request, header);
    }

    private static void checkHeaderFields(RequestHeader header, String operationFromPath) throws FederationRejection {
        if (!ServerDescriptions.isValidDomain(header.getOrigin())) {
            throw malformed("origin is not a domain");
        }
        if (!ServerDescriptions.isValidDomain(header.getDestination())) {
            throw malformed("destination is not a domain");
        }
        if (header.getTimestampMillis() == 0) {
            throw malformed("no timestamp");
        }
        if (header.getTransactionId().size() != RequestSigner.TRANSACTION_ID_BYTES) {
            throw malformed("transaction id is not 16 bytes");
        }
        if (header.getBodyDigest().size() != RequestSigner.DIGEST_BYTES) {
            throw malformed("body digest is not 32 bytes");
        }
        if (!KeyIds.isValid(header.getKeyId())) {
            throw malformed("key id is malformed");
        }
        if (header.getOperation().isEmpty() || !header.getOperation().equals(operationFromPath)) {
            throw malformed("operation " + ServerDescriptions.safe(header.getOperation()) + " does not match the path's "
                    + ServerDescriptions.safe(String.valueOf(operationFromPath)));
        }
    }

    /** The signing key from a description, null when it does not list it (refresh next). */
    private static ServerKey keyOrNull(Parsed parsed, PeerDescription description, Throwable error) {
        requireDescription(parsed, description, error);
        return description.key(parsed.header.getKeyId()).orElse(null);
    }

    private static ServerKey requireKey(Parsed parsed, PeerDescription description, Throwable error) {
        requireDescription(parsed, description, error);
        Optional<ServerKey> key = description.key(parsed.header.getKeyId());
        if (key.isEmpty()) {
            throw new CompletionException(new FederationRejection(Rejection.UNKNOWN_KEY,
                    parsed.header.getOrigin() + " publishes no key " + parsed.header.getKeyId()));
        }
        return key.get();
    }

    /** A KeySource that answered for another domain is as good as none (defence against a wrong wiring). */
    private static void requireDescription(Parsed parsed, PeerDescription description, Throwable error) {
        String origin = parsed.header.getOrigin();
        if (error != null) {
            throw new CompletionException(unreachable(origin, error));
        }
        if (description == null || !description.domain().equals(origin)) {
            throw new CompletionException(new FederationRejection(Rejection.ORIGIN_UNREACHABLE, "no description of " + origin));
        }
    }

    private VerifiedRequest checkWithKey(Parsed parsed, ServerKey key, Instant now) throws FederationRejection {
        RequestHeader header = parsed.header;
        long timestamp = header.getTimestampMillis();
        if (timestamp < key.getValidFromMillis() || timestamp >= key.getExpiresAtMillis()) {
            throw new FederationRejection(Rejection.EXPIRED_KEY, "key " + key.getKeyId() + " of " + header.getOrigin()
                    + " is not valid at the request's timestamp");
        }
        if (parsed.request.getSignature().isEmpty()
                || !FederationSignatures.verify(key.getPublicKey().toByteArray(), FederationSignatures.REQUEST_CONTEXT,
                        parsed.request.getHeader().toByteArray(), parsed.request.getSignature().toByteArray())) {
            throw new FederationRejection(Rejection.BAD_SIGNATURE, "signature does not verify with key " + key.getKeyId() + " of " + header.getOrigin());
        }
        byte[] body = parsed.request.getBody().toByteArray();
        if (!MessageDigest.isEqual(RequestSigner.sha256(body), header.getBodyDigest().toByteArray())) {
            throw malformed("body does not match its digest");
        }
        ReplayGuard.Verdict verdict = replayGuard.check(header.getOrigin(), header.getTransactionId().toByteArray(),
                Instant.ofEpochMilli(timestamp), now);
        if (verdict == ReplayGuard.Verdict.REPLAYED) {
            throw new FederationRejection(Rejection.REPLAYED, "transaction id already seen from " + header.getOrigin());
        }
        if (verdict == ReplayGuard.Verdict.TOO_OLD) {
            // Not REPLAYED: the origin must not conclude the request was applied.
            throw new FederationRejection(Rejection.CLOCK_SKEW, "request too old for the replay window kept under load; re-sign and retry");
        }
        return new VerifiedRequest(header.getOrigin(), header, body, key.getKeyId());
    }

    private static FederationRejection unreachable(String origin, Throwable error) {
        Throwable cause = Futures.cause(error);
        if (cause instanceof FederationRejection rejection) {
            return rejection.rejection() == Rejection.ORIGIN_UNREACHABLE ? rejection
                    : new FederationRejection(Rejection.ORIGIN_UNREACHABLE, rejection.getMessage());
        }
        return new FederationRejection(Rejection.ORIGIN_UNREACHABLE, "keys of " + origin + " unavailable: " + cause.getClass().getSimpleName());
    }

    private static FederationRejection malformed(String message) {
        return new FederationRejection(Rejection.MALFORMED_REQUEST, message);
    }

    public String ownDomain() {
        return ownDomain;
    }

    private record Parsed(SignedRequest request, RequestHeader header) {
    }
}
