package org.securecomm.relay.federation;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.TransactionResult;
import org.securecomm.relay.Asks;
import org.securecomm.relay.federation.inbound.FederationInbox;
import org.securecomm.relay.federation.outbound.EnqueueReply;
import org.securecomm.relay.federation.outbound.FederationPeer;
import org.securecomm.relay.federation.outbound.PeerStatus;

/** The edge's way into the federation entities: asks with timeouts, answers as plain futures. */
public final class FederationQueues {

    private final ClusterSharding sharding;
    private final Duration askTimeout;

    /** @param askTimeout how long an entity may take beyond any outcome wait (securecomm.ask-timeout) */
    public FederationQueues(ClusterSharding sharding, Duration askTimeout) {
        this.sharding = sharding;
        this.askTimeout = askTimeout;
    }

    /**
     * Queues {@code pdu} for {@code domain} (its sequence number is assigned by the queue) and
     * answers Delivered if the peer's result arrives within {@code wait}, else Queued, or QueueFull.
     */
    public CompletionStage<EnqueueReply> enqueue(String domain, Pdu pdu, Duration wait) {
        byte[] bytes = pdu.toBuilder().clearSequence().build().toByteArray();
        return Asks.plain(sharding.entityRefFor(FederationPeer.TYPE_KEY, domain)
                .ask(replyTo -> new FederationPeer.Enqueue(bytes, wait, replyTo), wait.plus(askTimeout)));
    }

    /** The queue of {@code domain} now (starts its entity when it is not running). */
    public CompletionStage<PeerStatus> status(String domain) {
        return Asks.plain(sharding.entityRefFor(FederationPeer.TYPE_KEY, domain).ask(FederationPeer.GetStatus::new, askTimeout));
    }

    /**
     * Applies a verified transaction of {@code origin}; {@code timeout} must cover applying every
     * PDU of it (and any transaction of the same origin ahead of it).
     */
    public CompletionStage<TransactionResult> apply(String origin, List<Pdu> pdus, Duration timeout) {
        List<byte[]> serialized = pdus.stream().map(Pdu::toByteArray).toList();
        return Asks.plain(sharding.entityRefFor(FederationInbox.TYPE_KEY, origin)
                        .<byte[]>ask(replyTo -> new FederationInbox.Apply(serialized, replyTo), timeout))
                .thenApply(FederationQueues::parseResult);
    }

    private static TransactionResult parseResult(byte[] bytes) {
        try {
            return TransactionResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the inbox answered bytes that are not a TransactionResult", e);
        }
    }
}
