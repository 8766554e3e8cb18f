package org.securecomm.client.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.crypto.Vault;
import org.securecomm.client.transport.RelayException;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.EnvelopesAccepted;
import org.securecomm.protocol.client.v1.Error;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.MismatchedDevices;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;

/** The transport message id of a send: the message's own id when given, one id for every attempt. */
class TransportMessageIdTest {

    private static final String BOB = "bob@remote.test";
    private static final byte[] CONTENT = "opaque content".getBytes(StandardCharsets.UTF_8);

    private SendingDevice device;

    @BeforeEach
    void setUp(@TempDir Path dir) {
        device = new SendingDevice(dir);
        device.sessionsWith(BOB, 1);
    }

    @AfterEach
    void tearDown() {
        device.close();
    }

    @Test
    void aMessageIdIsTheTransportIdOfEveryAttempt() {
        byte[] messageId = Vault.random(16);
        // First attempt: the relay reports a new device; the retry must keep the id.
        device.answer = request -> {
            if (sends().size() == 1) {
                throw new RelayException(Error.newBuilder().setCode(ErrorCode.MISMATCHED_DEVICES)
                        .setMismatchedDevices(MismatchedDevices.newBuilder().addMissingDevices(2)).build());
            }
            return accepted(request);
        };

        assertEquals(2, device.sender.send(BOB, CONTENT, null, messageId, 1_000));

        List<SendEnvelopes> sends = sends();
        assertEquals(2, sends.size());
        for (SendEnvelopes send : sends) {
            assertEquals(ByteString.copyFrom(messageId), send.getMessageId());
        }
        assertEquals(2, sends.get(1).getEnvelopesCount(), "the retry went to the corrected devices");
    }

    @Test
    void withoutAUsableMessageIdEachSendGetsAFreshRandomOne() {
        device.answer = TransportMessageIdTest::accepted;

        device.sender.send(BOB, CONTENT, 1_000);
        device.sender.send(BOB, CONTENT, null, new byte[8], 1_001);

        List<SendEnvelopes> sends = sends();
        assertEquals(16, sends.get(0).getMessageId().size());
        assertEquals(16, sends.get(1).getMessageId().size());
        assertNotEquals(sends.get(0).getMessageId(), sends.get(1).getMessageId());
        assertNotEquals(ByteString.copyFrom(new byte[8]), sends.get(1).getMessageId());
    }

    private List<SendEnvelopes> sends() {
        return device.requests.stream().filter(ClientMessage::hasSendEnvelopes).map(ClientMessage::getSendEnvelopes).toList();
    }

    private static Response accepted(ClientMessage request) {
        EnvelopesAccepted.Builder accepted = EnvelopesAccepted.newBuilder();
        request.getSendEnvelopes().getEnvelopesList().forEach(e -> accepted.addEnvelopeIds(ByteString.copyFrom(Vault.random(16))));
        return Response.newBuilder().setEnvelopesAccepted(accepted).build();
    }
}
