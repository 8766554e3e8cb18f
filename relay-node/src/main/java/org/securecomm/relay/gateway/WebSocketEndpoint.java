package org.securecomm.relay.gateway;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.securecomm.relay.metrics.RelayMetrics;

/**
 * Builds the stream of one client WebSocket: inbound frames are decoded and handed to a new
 * {@link Connection} actor with back-pressure; what the actor emits is encoded into binary frames.
 * When either side ends, both do.
 */
public final class WebSocketEndpoint {

    private final ActorSystem<?> system;
    private final ClientApi api;
    private final GatewaySettings settings;
    private final ClusterSharding sharding;
    private final RelayMetrics metrics;
    private final ConnectionRegistry registry;
    private final FrameDecoder decoder;
    private final AtomicLong connectionCounter = new AtomicLong();

    /** Pekko's initial slots of a growable stream buffer (Buffer.FixedQueueSize). */
    private static final int INITIAL_OUTBOUND_SLOTS = 128;

    public WebSocketEndpoint(ActorSystem<?> system, ClientApi api, GatewaySettings settings, ClusterSharding sharding,
                             RelayMetrics metrics, ConnectionRegistry registry) {
        this.system = system;
        this.api = api;
        this.settings = settings;
        this.sharding = sharding;
        this.metrics = metrics;
        this.registry = registry;
        this.decoder = new FrameDecoder(settings.frameLimits().maxClientFrameBytes(), settings.frameReadTimeout(),
                Materializer.matFromSystem(system));
    }

    public Flow<Message, Message, NotUsed> newConnection() {
        Pair<ActorRef<Outbound>, Source<Outbound, NotUsed>> outbound = ActorSource.<Outbound>actorRef(
                        message -> message instanceof Outbound.Close,
                        message -> Optional.empty(),
                        settings.outboundBuffer(),
                        OverflowStrategy.fail())
                // Pekko allocates a buffer of this size up front unless it is at least
                // max-fixed-buffer-size: then it starts at 128 slots and grows only when a client
                // falls behind. An idle connection no longer holds 2,048 empty slots (8 KiB).
                .addAttributes(ActorAttributes.maxFixedBufferSize(Math.min(settings.outboundBuffer(), INITIAL_OUTBOUND_SLOTS)))
                .preMaterialize(system);
        ActorRef<Connection.Command> connection = system.systemActorOf(
                Connection.create(outbound.first(), api, settings, sharding, metrics, registry),
                "connection-" + connectionCounter.incrementAndGet(), Props.empty());

        Sink<Message, NotUsed> inbound = Flow.<Message>create()
                .mapAsync(1, decoder::decode)
                .to(ActorSink.<Inbound, Connection.Command, Connection.Ack>actorRefWithBackpressure(
                        connection,
                        (ackTo, frame) -> new Connection.FrameArrived(frame, ackTo),
                        Connection.StreamStarted::new,
                        Connection.Ack.INSTANCE,
                        new Connection.StreamEnded(),
                        Connection.StreamFailed::new));
        Source<Message, NotUsed> frames = outbound.second()
                .filter(message -> message instanceof Outbound.Frame)
                .map(message -> (Message) BinaryMessage.create(
                        ByteString.fromArrayUnsafe(((Outbound.Frame) message).message().toByteArray())));
        return Flow.fromSinkAndSourceCoupled(inbound, frames);
    }
}
