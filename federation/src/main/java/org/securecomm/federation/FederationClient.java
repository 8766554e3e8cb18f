package org.securecomm.federation;

import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.securecomm.protocol.federation.v1.FederationError;
import org.securecomm.protocol.federation.v1.FederationResponse;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.SignedRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends signed requests to peers: {@code POST {endpoint}/v1/{operation}} with one SignedRequest,
 * answered by one FederationResponse (200) or a FederationError. Each call signs anew with the key
 * the supplier gives at that moment (a rotation takes effect at once) and a fresh transaction id,
 * so a retry is never mistaken for a replay. No retries here: the caller's queue owns backoff.
 */
public final class FederationClient {

    /** Content type of every federation body. */
    public static final String CONTENT_TYPE = "application/x-protobuf";

    private static final Logger log = LoggerFactory.getLogger(FederationClient.class);
    private static final Pattern OPERATION = Pattern.compile("[a-z][a-z_]{0,31}");

    private final String ownDomain;
    private final Supplier<ServerKeyPair> signingKey;
    private final KeySource keySource;
    private final HttpClient http;
    private final Clock clock;
    private final Duration requestTimeout;
    private final int maxResponseBytes;

    /**
     * @param ownDomain        this cluster's domain (the origin of every request)
     * @param signingKey       the current key, read at every send (e.g. {@code () -> keysHolder.get().current()})
     * @param keySource        resolves destinations to endpoints
     * @param http             an HTTP client trusting the peers' CAs (see {@link Tls})
     * @param requestTimeout   the whole exchange, connection to last byte
     * @param maxResponseBytes larger answers are treated as unreachable peers
     */
    public FederationClient(String ownDomain, Supplier<ServerKeyPair> signingKey, KeySource keySource, HttpClient http, Clock clock,
                            Duration requestTimeout, int maxResponseBytes) {
        this.ownDomain = Objects.requireNonNull(ownDomain, "ownDomain");
        this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
        this.keySource = Objects.requireNonNull(keySource, "keySource");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be positive");
        }
        this.maxResponseBytes = maxResponseBytes;
    }

    /**
     * @return the peer's response, or a stage failed with {@link PeerRejectedException} or
     *         {@link PeerUnreachableException} (not wrapped)
     * @throws IllegalArgumentException when the operation is not a lower-case word (a programming error)
     */
    public CompletionStage<FederationResponse> send(String destination, String operation, byte[] body) {
        if (!OPERATION.matcher(operation).matches()) {
            throw new IllegalArgumentException("an operation is a lower-case word: " + operation);
        }
        CompletableFuture<FederationResponse> result = new CompletableFuture<>();
        keySource.describe(destination).whenComplete((description, error) -> {
            if (error != null) {
                Throwable cause = Futures.cause(error);
                result.completeExceptionally(new PeerUnreachableException(
                        "no description of " + destination + ": " + cause.getMessage(), cause));
                return;
            }
            post(description, operation, body).whenComplete((response, failure) -> {
                if (failure == null) {
                    result.complete(response);
                } else {
                    result.completeExceptionally(Futures.cause(failure));
                }
            });
        });
        return result;
    }

    private CompletableFuture<FederationResponse> post(PeerDescription peer, String operation, byte[] body) {
        SignedRequest signed;
        try {
            signed = RequestSigner.sign(signingKey.get(), ownDomain, peer.domain(), operation, body, clock.instant());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        URI uri = URI.create(peer.endpoint() + "/v1/" + operation);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(signed.toByteArray()))
                .build();
        CompletableFuture<HttpResponse<byte[]>> exchange;
        try {
            exchange = http.sendAsync(request, BoundedBodies.ofByteArray(maxResponseBytes));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new PeerUnreachableException(uri + ": " + e.getMessage(), e));
        }
        return exchange.handle((response, error) -> {
            if (error != null) {
                Throwable cause = Futures.cause(error);
                log.debug("federation: {} {} failed: {}", peer.domain(), operation, cause.toString());
                throw new CompletionException(new PeerUnreachableException(
                        uri + ": " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()), cause));
            }
            try {
                return interpret(peer.domain(), uri, response);
            } catch (FederationSendException e) {
                throw new CompletionException(e);
            }
        });
    }

    private static FederationResponse interpret(String destination, URI uri, HttpResponse<byte[]> response) throws FederationSendException {
        int status = response.statusCode();
        if (status == 200) {
            try {
                return FederationResponse.parseFrom(response.body());
            } catch (InvalidProtocolBufferException e) {
                throw new PeerUnreachableException(uri + " answered 200 with something that is not a FederationResponse", e);
            }
        }
        FederationError error = null;
        try {
            error = FederationError.parseFrom(response.body());
        } catch (InvalidProtocolBufferException e) {
            // Not a federation answer (a proxy's error page): handled below.
        }
        if (error == null || error.getRejection() == Rejection.REJECTION_UNSPECIFIED) {
            if (status >= 500 || status == 429) {
                throw new PeerUnreachableException(uri + " answered HTTP " + status + " without a FederationError", null);
            }
            error = FederationError.newBuilder().setMessage("HTTP " + status + " without a FederationError").build();
        }
        throw new PeerRejectedException(destination, status, error);
    }
}
