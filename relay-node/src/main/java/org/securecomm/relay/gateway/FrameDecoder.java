package org.securecomm.relay.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.Asks;

/**
 * Turns WebSocket messages into requests. An oversized frame is read to its end but not kept
 * (so the connection stays in sync and usable) and answered FRAME_TOO_LARGE; anything that is not
 * a binary ClientMessage with a body is answered MALFORMED_FRAME.
 */
final class FrameDecoder {

    private final int maxFrameBytes;
    private final Duration readTimeout;
    private final Materializer materializer;

    FrameDecoder(int maxFrameBytes, Duration readTimeout, Materializer materializer) {
        this.maxFrameBytes = maxFrameBytes;
        this.readTimeout = readTimeout;
        this.materializer = materializer;
    }

    CompletionStage<Inbound> decode(Message message) {
        if (message.isText()) {
            return Asks.plain(message.asTextMessage().getStreamedText().completionTimeout(readTimeout).runWith(Sink.ignore(), materializer))
                    .handle((done, error) -> new Inbound.Rejected(0, ErrorCode.MALFORMED_FRAME,
                            "text frames are not part of the protocol: send binary protobuf frames"));
        }
        BinaryMessage binary = message.asBinaryMessage();
        if (binary.isStrict()) {
            return CompletableFuture.completedFuture(parse(binary.getStrictData(), binary.getStrictData().size()));
        }
        return Asks.plain(binary.getStreamedData()
                        .completionTimeout(readTimeout)
                        .runFold(new Accumulated(ByteString.emptyByteString(), 0), this::append, materializer))
                .handle((accumulated, error) -> error != null
                        ? new Inbound.Rejected(0, ErrorCode.MALFORMED_FRAME, "the frame did not arrive completely")
                        : parse(accumulated.data(), accumulated.size()));
    }

    private record Accumulated(ByteString data, long size) {
    }

    private Accumulated append(Accumulated so, ByteString chunk) {
        long size = so.size() + chunk.size();
        // Past the limit only the size is counted: the rest of the frame is drained, not kept.
        return new Accumulated(size > maxFrameBytes ? ByteString.emptyByteString() : so.data().concat(chunk), size);
    }

    private Inbound parse(ByteString data, long size) {
        if (size > maxFrameBytes) {
            return new Inbound.Rejected(0, ErrorCode.FRAME_TOO_LARGE,
                    "a frame is at most " + maxFrameBytes + " bytes, got " + size);
        }
        try {
            ClientMessage message = ClientMessage.parseFrom(data.toArrayUnsafe());
            if (message.getBodyCase() == ClientMessage.BodyCase.BODY_NOT_SET) {
                return new Inbound.Rejected(message.getRequestId(), ErrorCode.MALFORMED_FRAME,
                        "the frame holds no request this relay knows");
            }
            return new Inbound.Request(message);
        } catch (InvalidProtocolBufferException e) {
            return new Inbound.Rejected(0, ErrorCode.MALFORMED_FRAME, "the frame is not a ClientMessage");
        }
    }
}
