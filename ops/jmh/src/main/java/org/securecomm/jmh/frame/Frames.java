package org.securecomm.jmh.frame;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.EnvelopesAccepted;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.securecomm.protocol.client.v1.ServerMessage;
import org.securecomm.relay.mailbox.StoredEnvelope;

/** The frames of one 1:1 or multi-device message as a client and the relay exchange them. */
public final class Frames {

    /** A libsignal ciphertext of a short text message is about this long. */
    public static final int CONTENT_BYTES = 256;
    public static final String SENDER = "alice.01@relay.example";
    public static final String DESTINATION = "bob.02@relay.example";

    private Frames() {
    }

    /** SendEnvelopes to every device of {@link #DESTINATION}: one envelope of random ciphertext per device. */
    public static ClientMessage sendEnvelopes(long requestId, int devices, Random random) {
        SendEnvelopes.Builder send = SendEnvelopes.newBuilder()
                .setDestination(DESTINATION)
                .setClientTimestamp(1_764_470_000_000L)
                .setUrgent(true)
                .setMessageId(ByteString.copyFrom(randomBytes(16, random)));
        for (int device = 1; device <= devices; device++) {
            send.addEnvelopes(OutgoingEnvelope.newBuilder()
                    .setDeviceId(device)
                    .setRegistrationId(1 + random.nextInt(16_380))
                    .setType(EnvelopeType.CIPHERTEXT)
                    .setContent(ByteString.copyFrom(randomBytes(CONTENT_BYTES, random))));
        }
        return ClientMessage.newBuilder().setRequestId(requestId).setSendEnvelopes(send).build();
    }

    /** The relay's answer to a SendEnvelopes once every envelope is persisted, as the connection builds it. */
    public static ServerMessage accepted(long requestId, List<UUID> envelopeIds) {
        EnvelopesAccepted.Builder accepted = EnvelopesAccepted.newBuilder();
        envelopeIds.forEach(id -> accepted.addEnvelopeIds(EnvelopeIds.toBytes(id)));
        return ServerMessage.newBuilder()
                .setResponse(Response.newBuilder().setEnvelopesAccepted(accepted).setRequestId(requestId))
                .build();
    }

    /** An envelope as a mailbox stores it: what the relay pushes. */
    public static StoredEnvelope stored(Random random) {
        return new StoredEnvelope(UUID.randomUUID(), SENDER, 1, EnvelopeType.CIPHERTEXT_VALUE, 1_764_470_000_000L,
                1_764_470_000_012L, randomBytes(CONTENT_BYTES, random), true);
    }

    public static byte[] randomBytes(int length, Random random) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
