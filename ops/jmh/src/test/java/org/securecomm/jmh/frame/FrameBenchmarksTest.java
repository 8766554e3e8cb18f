package org.securecomm.jmh.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.ServerMessage;
import org.securecomm.relay.gateway.GatewayFrames;
import org.securecomm.relay.mailbox.StoredEnvelope;

/** Each frame benchmark, run once, computes what the relay would: not timing. */
class FrameBenchmarksTest {

    private static Message frame(byte[] bytes) {
        return BinaryMessage.create(ByteString.fromArray(bytes));
    }

    private static ServerMessage parse(Message frame) throws InvalidProtocolBufferException {
        return ServerMessage.parseFrom(frame.asBinaryMessage().getStrictData().toArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void decodesTheRequestTheClientSentRejectsOtherBytesAndEncodesTheAnswer(int devices) throws Exception {
        SendEnvelopesFrameBenchmark benchmark = new SendEnvelopesFrameBenchmark();
        benchmark.devices = devices;
        benchmark.setUp();
        try {
            ClientMessage decoded = benchmark.decodeSendEnvelopes();
            assertEquals(benchmark.request(), decoded);
            assertEquals(devices, decoded.getSendEnvelopes().getEnvelopesCount());
            assertEquals(Frames.CONTENT_BYTES, decoded.getSendEnvelopes().getEnvelopes(0).getContent().size());
            GatewayFrames gateway = benchmark.gateway();
            assertThrows(IllegalArgumentException.class, () -> gateway.decode(frame(new byte[] {(byte) 0xff, 0x01, 0x02})),
                    "not a ClientMessage");
            assertThrows(IllegalArgumentException.class, () -> gateway.decode(frame(ClientMessage.newBuilder().setRequestId(9).build().toByteArray())),
                    "no request in the frame");

            ServerMessage answer = parse(benchmark.encodeEnvelopesAccepted());
            assertEquals(benchmark.request().getRequestId(), answer.getResponse().getRequestId());
            assertEquals(benchmark.envelopeIds(),
                    answer.getResponse().getEnvelopesAccepted().getEnvelopeIdsList().stream().map(EnvelopeIds::fromBytes).toList());
        } finally {
            benchmark.tearDown();
        }
    }

    @Test
    void encodesThePushOfTheStoredEnvelope() throws Exception {
        EnvelopePushFrameBenchmark benchmark = new EnvelopePushFrameBenchmark();
        benchmark.setUp();
        StoredEnvelope stored = benchmark.stored();

        Envelope pushed = parse(benchmark.encodeEnvelopePush()).getPush().getEnvelope();

        assertEquals(stored.id(), EnvelopeIds.fromBytes(pushed.getId()));
        assertEquals(List.of(stored.sourceAddress(), stored.sourceDevice(), stored.type(), stored.clientTimestamp(), stored.serverTimestamp(),
                        stored.urgent()),
                List.of(pushed.getSourceAddress(), pushed.getSourceDevice(), pushed.getTypeValue(), pushed.getClientTimestamp(),
                        pushed.getServerTimestamp(), pushed.getUrgent()));
        assertArrayEquals(stored.content(), pushed.getContent().toByteArray());
    }
}
