package org.securecomm.relay.federation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.securecomm.federation.FederationClient;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.GetPreKeyBundles;
import org.securecomm.protocol.client.v1.PreKeyBundles;
import org.securecomm.protocol.federation.v1.EnvelopeDelivery;
import org.securecomm.protocol.federation.v1.FederationResponse;
import org.securecomm.protocol.federation.v1.GetPreKeyBundlesQuery;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.Query;
import org.securecomm.protocol.federation.v1.QueryResult;
import org.securecomm.protocol.federation.v1.RemoteEnvelope;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.account.KeyDirectory;
import org.securecomm.relay.federation.outbound.EnqueueReply;
import org.securecomm.relay.mailbox.EnvelopeRouter;

/**
 * The outbound side of federation for devices of this cluster: envelopes go into the durable queue
 * of the destination's domain (answered with the remote verdict when it comes within the delivery
 * wait, else as queued); prekey bundles are asked of the other cluster at once.
 */
public final class RemoteRouting implements EnvelopeRouter.RemoteDelivery, KeyDirectory.RemoteKeys {

    private final FederationQueues queues;
    private final FederationClient client;
    private final Duration deliveryWait;

    public RemoteRouting(FederationQueues queues, FederationClient client, Duration deliveryWait) {
        this.queues = queues;
        this.client = client;
        this.deliveryWait = deliveryWait;
    }

    @Override
    public CompletionStage<Void> send(AuthenticatedDevice sender, Address destination, List<EnvelopeRouter.Identified> envelopes,
                                      byte[] messageId, long clientTimestamp, long serverTimestamp, boolean urgent) {
        EnvelopeDelivery.Builder delivery = EnvelopeDelivery.newBuilder()
                .setSourceAddress(sender.address().toString())
                .setSourceDevice(sender.deviceId())
                .setDestination(destination.toString())
                .setClientTimestamp(clientTimestamp)
                .setServerTimestamp(serverTimestamp)
                .setUrgent(urgent)
                .setMessageId(ByteString.copyFrom(messageId));
        for (EnvelopeRouter.Identified envelope : envelopes) {
            EnvelopeRouter.Outgoing outgoing = envelope.envelope();
            delivery.addEnvelopes(RemoteEnvelope.newBuilder()
                    .setId(EnvelopeIds.toBytes(envelope.id()))
                    .setDeviceId(outgoing.deviceId())
                    .setRegistrationId(outgoing.registrationId())
                    .setTypeValue(outgoing.type())
                    .setContent(ByteString.copyFrom(outgoing.content())));
        }
        Pdu pdu = Pdu.newBuilder().setEnvelopes(delivery).build();
        return queues.enqueue(destination.domain(), pdu, deliveryWait).thenApply(reply -> {
            if (reply instanceof EnqueueReply.Delivered delivered) {
                PduResult result = parse(delivered.pduResult());
                if (result.getError() != ErrorCode.ERROR_CODE_UNSPECIFIED) {
                    throw FederationErrors.refused(result, destination.toString());
                }
            } else if (reply instanceof EnqueueReply.QueueFull) {
                throw new ApiException(ErrorCode.UNAVAILABLE, "too much is queued for " + destination.domain() + ": try again later");
            }
            // Queued: the other cluster is slow or down; it gets the envelopes when it is back.
            return null;
        });
    }

    @Override
    public CompletionStage<PreKeyBundles> claim(AuthenticatedDevice requester, Address address, int deviceId) {
        Query query = Query.newBuilder().setGetPreKeyBundles(GetPreKeyBundlesQuery.newBuilder()
                .setRequester(requester.address().toString())
                .setRequest(GetPreKeyBundles.newBuilder().setAddress(address.toString()).setDeviceId(deviceId))).build();
        return ask(address.domain(), query).thenApply(result -> {
            if (!result.hasPreKeyBundles() || !result.getPreKeyBundles().getAddress().equals(address.toString())) {
                throw new ApiException(ErrorCode.UNAVAILABLE, address.domain() + " answered something else than the bundles of " + address);
            }
            return result.getPreKeyBundles();
        });
    }

    /** One query to another cluster, its refusal mapped to what the device is told. */
    public CompletionStage<QueryResult> ask(String domain, Query query) {
        return client.send(domain, "query", query.toByteArray()).handle((response, failure) -> {
            if (failure != null) {
                throw FederationErrors.of(failure, domain);
            }
            if (response.getKindCase() == FederationResponse.KindCase.ERROR) {
                throw FederationErrors.refused(response.getError(), domain);
            }
            if (!response.hasQuery()) {
                throw new ApiException(ErrorCode.UNAVAILABLE, domain + " answered a query with something else");
            }
            return response.getQuery();
        });
    }

    private static PduResult parse(byte[] bytes) {
        try {
            return PduResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored PDU result does not parse", e);
        }
    }
}
