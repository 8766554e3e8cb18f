package org.securecomm.relay.federation.inbound;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.securecomm.federation.FederationRejection;
import org.securecomm.federation.OriginCheck;
import org.securecomm.federation.RequestVerifier;
import org.securecomm.federation.VerifiedRequest;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.federation.v1.FederationResponse;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.Query;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.relay.federation.FederationQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of {@code POST /federation/v1/{operation}}: reads the body within its size
 * limit, has it verified (signature, key, destination, clock, replay, policy), checks that every
 * address in it that speaks for a sender belongs to the origin, and only then applies it. A refused
 * request gets a FederationError with its HTTP status, a log line and a metric; nothing of it is
 * applied.
 */
public final class FederationEndpoint {

    /** A transaction carries at most this many PDUs (the sending queue batches fewer). */
    static final int MAX_PDUS = 1000;

    private static final Logger log = LoggerFactory.getLogger(FederationEndpoint.class);

    /** What the endpoint reports for metrics. */
    public interface Listener {
        void federationRequest(String operation, String outcome, long nanos);
    }

    private final String ownDomain;
    private final RequestVerifier verifier;
    private final FederationQueues inboxes;
    private final FederationQueries queries;
    private final Listener listener;
    private final long maxRequestBytes;
    private final Duration readTimeout;
    private final Materializer materializer;

    public FederationEndpoint(String ownDomain, RequestVerifier verifier, FederationQueues inboxes, FederationQueries queries,
                              Listener listener, long maxRequestBytes, Duration readTimeout, Materializer materializer) {
        this.ownDomain = ownDomain;
        this.verifier = verifier;
        this.inboxes = inboxes;
        this.queries = queries;
        this.listener = listener;
        this.maxRequestBytes = maxRequestBytes;
        this.readTimeout = readTimeout;
        this.materializer = materializer;
    }

    public CompletionStage<HttpResponse> handle(String operation, HttpRequest request) {
        long started = System.nanoTime();
        boolean known = "transaction".equals(operation) || "query".equals(operation);
        // Metric labels and log lines never carry a path segment a peer chose.
        String label = known ? operation : "unknown";
        CompletionStage<FederationResponse> answered;
        OptionalLong length = request.entity().getContentLengthOption();
        if (!known) {
            answered = CompletableFuture.failedFuture(new FederationRejection(Rejection.MALFORMED_REQUEST,
                    "no such federation operation", 0));
        } else if (length.isPresent() && length.getAsLong() > maxRequestBytes) {
            request.discardEntityBytes(materializer);
            answered = CompletableFuture.failedFuture(tooLarge());
        } else {
            answered = request.entity().toStrict(readTimeout.toMillis(), maxRequestBytes, materializer)
                    .thenCompose(strict -> verifier.verify(strict.getData().toArray(), operation))
                    .thenCompose(verified -> "transaction".equals(operation) ? transaction(verified) : query(verified));
        }
        return answered.handle((response, failure) -> {
            if (failure == null) {
                listener.federationRequest(label, "ok", System.nanoTime() - started);
                return ok(response);
            }
            FederationRejection rejection = rejection(failure);
            listener.federationRequest(label, rejection.rejection().name(), System.nanoTime() - started);
            log.warn("federation {} refused: {} ({})", label, rejection.rejection(), rejection.getMessage().replaceAll("\\p{Cntrl}", "?"));
            // APPLICATION_ERROR here is this cluster's own failure: 503, so the origin retries.
            int status = rejection.rejection() == Rejection.APPLICATION_ERROR ? 503 : rejection.httpStatus();
            byte[] body = FederationResponse.newBuilder().setError(rejection.toError()).build().toByteArray();
            return HttpResponse.create().withStatus(StatusCodes.get(status)).withEntity(HttpEntities.create(FederationRoutes.PROTOBUF, body));
        });
    }

    private CompletionStage<FederationResponse> transaction(VerifiedRequest verified) {
        Transaction transaction = parse(() -> Transaction.parseFrom(verified.body()), "a Transaction");
        List<Pdu> pdus = checked(verified.origin(), transaction);
        return inboxes.apply(verified.origin(), pdus, readTimeout)
                .thenApply(result -> FederationResponse.newBuilder().setTransaction(result).build());
    }

    private CompletionStage<FederationResponse> query(VerifiedRequest verified) {
        Query query = parse(() -> Query.parseFrom(verified.body()), "a Query");
        return queries.answer(verified.origin(), query);
    }

    /**
     * Every PDU's sender address must be of the origin and every recipient address of this
     * cluster, or the whole transaction is refused before anything is applied.
     */
    private List<Pdu> checked(String origin, Transaction transaction) {
        if (transaction.getPdusCount() == 0 || transaction.getPdusCount() > MAX_PDUS) {
            throw reject(Rejection.MALFORMED_REQUEST, "a transaction has 1 to " + MAX_PDUS + " PDUs");
        }
        List<Pdu> pdus = new ArrayList<>(transaction.getPdusCount());
        long previous = 0;
        for (Pdu pdu : transaction.getPdusList()) {
            if (pdu.getSequence() <= previous) {
                throw reject(Rejection.MALFORMED_REQUEST, "PDU sequence numbers must ascend from 1");
            }
            previous = pdu.getSequence();
            switch (pdu.getKindCase()) {
                case ENVELOPES:
                    requireOfOrigin(pdu.getEnvelopes().getSourceAddress(), origin);
                    requireLocal(pdu.getEnvelopes().getDestination());
                    break;
                case DEVICE_PUSH:
                    requireLocal(pdu.getDevicePush().getAddress());
                    requirePushFromOrigin(pdu, origin);
                    break;
                default:
                    throw reject(Rejection.MALFORMED_REQUEST, "a PDU of unknown kind");
            }
            pdus.add(pdu);
        }
        return pdus;
    }

    /**
     * A call push comes from the cluster whose room holds the call (the call id names it), and
     * the caller of a ring is of that cluster too; a signal's sender may be of any cluster in the
     * call, the room checked it.
     */
    private static void requirePushFromOrigin(Pdu pdu, String origin) {
        var push = pdu.getDevicePush().getPush();
        String callId;
        switch (push.getKindCase()) {
            case INCOMING_CALL:
                requireOfOrigin(push.getIncomingCall().getCallerAddress(), origin);
                callId = push.getIncomingCall().getCallId();
                break;
            case CALL_SIGNAL:
                callId = push.getCallSignal().getCallId();
                break;
            case CALL_RINGING_STOPPED:
                callId = push.getCallRingingStopped().getCallId();
                break;
            case CALL_DECLINED:
                callId = push.getCallDeclined().getCallId();
                break;
            case CALL_BUSY:
                callId = push.getCallBusy().getCallId();
                break;
            case CALL_MISSED:
                callId = push.getCallMissed().getCallId();
                break;
            case CALL_PARTICIPANTS:
                callId = push.getCallParticipants().getCallId();
                break;
            case CALL_ENDED:
                callId = push.getCallEnded().getCallId();
                break;
            default:
                throw reject(Rejection.MALFORMED_REQUEST, "only call pushes cross clusters, not " + push.getKindCase());
        }
        if (!callId.endsWith("@" + origin)) {
            throw reject(Rejection.SENDER_NOT_OF_ORIGIN, "a push for a call of another cluster than " + origin);
        }
    }

    private static void requireOfOrigin(String address, String origin) {
        try {
            OriginCheck.requireOfOrigin(address, origin);
        } catch (FederationRejection e) {
            throw new CompletionException(e);
        }
    }

    private void requireLocal(String address) {
        Address parsed;
        try {
            parsed = Address.parse(address);
        } catch (IllegalArgumentException e) {
            throw reject(Rejection.MALFORMED_REQUEST, "not an address: " + e.getMessage());
        }
        if (!parsed.domain().equals(ownDomain)) {
            throw reject(Rejection.WRONG_DESTINATION, "an address of " + parsed.domain() + " sent to " + ownDomain);
        }
    }

    private interface Parser<T> {
        T parse() throws InvalidProtocolBufferException;
    }

    private static <T> T parse(Parser<T> parser, String what) {
        try {
            return parser.parse();
        } catch (InvalidProtocolBufferException e) {
            throw reject(Rejection.MALFORMED_REQUEST, "the body is not " + what);
        }
    }

    private static CompletionException reject(Rejection rejection, String message) {
        return new CompletionException(new FederationRejection(rejection, message, 0));
    }

    private FederationRejection rejection(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof FederationRejection rejection) {
            return rejection;
        }
        if (cause instanceof EntityStreamSizeException) {
            return tooLarge();
        }
        log.error("federation request failed inside this cluster", cause);
        return new FederationRejection(Rejection.APPLICATION_ERROR, "this cluster failed to apply the request; retry later", 0);
    }

    private FederationRejection tooLarge() {
        return new FederationRejection(Rejection.TOO_LARGE, "a federation request is at most " + maxRequestBytes + " bytes", 0);
    }

    private static HttpResponse ok(FederationResponse response) {
        return HttpResponse.create().withEntity(HttpEntities.create(FederationRoutes.PROTOBUF, response.toByteArray()));
    }
}
