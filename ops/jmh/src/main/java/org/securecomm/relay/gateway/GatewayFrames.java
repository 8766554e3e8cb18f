package org.securecomm.relay.gateway;

import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.securecomm.protocol.FrameLimits;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.ServerMessage;
import org.securecomm.relay.mailbox.StoredEnvelope;

/**
 * The gateway's per-frame work, for the JMH benchmarks (ops/jmh): this class lives in the relay's
 * package name so it can use the package-private {@link FrameDecoder} without widening it.
 */
public final class GatewayFrames {

    private final FrameLimits limits;
    private final FrameDecoder decoder;

    public GatewayFrames(GatewaySettings settings, Materializer materializer) {
        this.limits = settings.frameLimits();
        this.decoder = new FrameDecoder(limits.maxClientFrameBytes(), settings.frameReadTimeout(), materializer);
    }

    /**
     * What happens to a client frame before its request is dispatched: {@link FrameDecoder}, as
     * {@link WebSocketEndpoint} runs it, then the connection's size limit for the request type.
     *
     * @throws IllegalArgumentException for a frame the relay would answer with an error
     */
    public ClientMessage decode(Message frame) {
        Inbound inbound = decoder.decode(frame).toCompletableFuture().join();
        if (inbound instanceof Inbound.Rejected rejected) {
            throw new IllegalArgumentException(rejected.code() + ": " + rejected.reason());
        }
        ClientMessage request = ((Inbound.Request) inbound).message();
        int limit = limits.limitFor(request.getBodyCase());
        if (request.getSerializedSize() > limit) {
            throw new IllegalArgumentException("a " + request.getBodyCase() + " request is at most " + limit + " bytes");
        }
        return request;
    }

    /** An envelope from a mailbox pushed to its device, built as the connection builds it. */
    public static ServerMessage push(StoredEnvelope stored) {
        return ServerMessage.newBuilder().setPush(Push.newBuilder().setEnvelope(Connection.envelope(stored))).build();
    }

    /** A frame for the client, encoded as {@link WebSocketEndpoint} encodes what the connection emits. */
    public static Message encode(ServerMessage message) {
        return BinaryMessage.create(ByteString.fromArrayUnsafe(message.toByteArray()));
    }
}
