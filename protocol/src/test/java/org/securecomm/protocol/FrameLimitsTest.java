package org.securecomm.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.client.v1.ClientMessage;

class FrameLimitsTest {

    @Test
    void sendLimitScalesWithDevices() {
        FrameLimits limits = new FrameLimits(1000, 5);
        // 5 devices of the recipient and 4 other devices of the sender.
        assertEquals(9000 + FrameLimits.SMALL_REQUEST_BYTES, limits.limitFor(ClientMessage.BodyCase.SEND_ENVELOPES));
        assertEquals(FrameLimits.SMALL_REQUEST_BYTES, limits.limitFor(ClientMessage.BodyCase.PING));
        assertTrue(limits.maxClientFrameBytes() >= FrameLimits.UPLOAD_KEYS_BYTES);
    }

    @Test
    void envelopeIdsRoundTripAndRejectWrongLength() {
        UUID id = UUID.randomUUID();
        assertEquals(id, EnvelopeIds.fromBytes(EnvelopeIds.toBytes(id)));
        assertThrows(IllegalArgumentException.class, () -> EnvelopeIds.fromBytes(ByteString.copyFromUtf8("short")));
    }
}
