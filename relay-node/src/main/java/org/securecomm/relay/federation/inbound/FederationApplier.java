package org.securecomm.relay.federation.inbound;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.EnvelopeDelivery;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.federation.ErrorText;
import org.securecomm.relay.federation.calls.DevicePushes;
import org.securecomm.relay.mailbox.EnvelopeRouter;

/**
 * Applies one verified PDU from another cluster to this one (the inbox calls it once per sequence
 * number, in order). A refusal that the sender must hear about (unknown account, other devices,
 * full mailbox) is an answer; a failure of this cluster (an entity that did not answer) fails the
 * stage, so the inbox stops there and the origin retries later.
 */
public final class FederationApplier implements PduApplier {

    /** Refusals that retrying cannot change: answered, not retried. */
    private static final Set<ErrorCode> FINAL = Set.of(ErrorCode.UNKNOWN_ACCOUNT, ErrorCode.MISMATCHED_DEVICES, ErrorCode.MAILBOX_FULL,
            ErrorCode.ENVELOPE_TOO_LARGE, ErrorCode.INVALID_ARGUMENT, ErrorCode.UNKNOWN_DEVICE);

    private final EnvelopeRouter envelopes;
    private final DevicePushes calls;

    public FederationApplier(EnvelopeRouter envelopes, DevicePushes calls) {
        this.envelopes = envelopes;
        this.calls = calls;
    }

    @Override
    public CompletionStage<PduResult> apply(String origin, Pdu pdu) {
        PduResult.Builder result = PduResult.newBuilder().setSequence(pdu.getSequence());
        CompletionStage<Void> applied;
        try {
            switch (pdu.getKindCase()) {
                case ENVELOPES:
                    applied = deliver(pdu.getEnvelopes());
                    break;
                case DEVICE_PUSH:
                    applied = calls.push(pdu.getDevicePush());
                    break;
                default:
                    throw new ApiException(ErrorCode.INVALID_ARGUMENT, "unknown PDU kind " + pdu.getKindCase());
            }
        } catch (ApiException e) {
            applied = CompletableFuture.failedFuture(e);
        }
        return applied.handle((ignored, failure) -> {
            if (failure == null) {
                return result.build();
            }
            Throwable cause = ErrorText.cause(failure);
            if (cause instanceof ApiException api && FINAL.contains(api.code())) {
                result.setError(api.code()).setMessage(api.getMessage());
                if (api.mismatchedDevices() != null) {
                    result.setMismatchedDevices(api.mismatchedDevices());
                }
                return result.build();
            }
            throw new CompletionException(cause);
        });
    }

    private CompletionStage<Void> deliver(EnvelopeDelivery delivery) {
        List<EnvelopeRouter.Identified> identified = delivery.getEnvelopesList().stream()
                .map(e -> new EnvelopeRouter.Identified(envelopeId(e.getId()),
                        new EnvelopeRouter.Outgoing(e.getDeviceId(), e.getRegistrationId(), e.getTypeValue(), e.getContent().toByteArray())))
                .toList();
        return envelopes.deliverFromRemote(Address.parse(delivery.getSourceAddress()), delivery.getSourceDevice(),
                Address.parse(delivery.getDestination()), identified, delivery.getClientTimestamp(), delivery.getUrgent());
    }

    private static UUID envelopeId(ByteString bytes) {
        try {
            return EnvelopeIds.fromBytes(bytes);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "an envelope id is 16 bytes");
        }
    }
}
