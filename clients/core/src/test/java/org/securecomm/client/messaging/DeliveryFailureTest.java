package org.securecomm.client.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.crypto.Vault;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.MismatchedDevices;
import org.securecomm.protocol.content.v1.CallEvent;
import org.securecomm.protocol.content.v1.ReceiptMessage;
import org.securecomm.protocol.federation.v1.DeliveryFailure;

/** MessageReceiver with a DELIVERY_FAILURE envelope from this device's relay (federation). */
class DeliveryFailureTest {

    private static final String BOB = "bob@remote.test";
    private static final String CAROL = "carol@remote.test";

    private SendingDevice device;
    private MessageReceiver receiver;
    private final List<UUID> acknowledged = new ArrayList<>();
    private final List<DeliveryFailureNotice> notices = new ArrayList<>();
    private Consumer<DeliveryFailureNotice> onNotice = notice -> { };

    @BeforeEach
    void setUp(@TempDir Path dir) {
        device = new SendingDevice(dir);
        receiver = new MessageReceiver(device.db, device.protocol, device.messages, device.contacts, device.ownDevices, device.sender,
                Clock.systemUTC(), SendingDevice.SELF, SendingDevice.SELF_DEVICE, new RecordingEffects());
    }

    @AfterEach
    void tearDown() {
        device.close();
    }

    @Test
    void marksTheMatchingOutgoingMessageFailedAcknowledgesAndNotifiesOnce() {
        StoredMessage failing = outgoing(BOB, "will bounce");
        StoredMessage other = outgoing(BOB, "fine");
        Envelope report = report(BOB, failure(BOB, failing.id(), ErrorCode.UNKNOWN_ACCOUNT));

        receiver.handle(report);

        StoredMessage marked = device.messages.find(failing.id()).orElseThrow();
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, marked.failure());
        assertTrue(marked.failed());
        assertEquals("will bounce", marked.text(), "the body survives the update");
        assertFalse(device.messages.find(other.id()).orElseThrow().failed(), "only the named message fails");
        assertEquals(List.of(id(report)), acknowledged);
        assertEquals(1, notices.size());
        DeliveryFailureNotice notice = notices.get(0);
        assertEquals(BOB, notice.destination());
        assertArrayEquals(failing.id(), notice.messageId());
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, notice.code());
        assertArrayEquals(failing.id(), notice.message().id());
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, notice.message().failure());

        receiver.handle(report);
        assertEquals(List.of(id(report), id(report)), acknowledged, "a redelivery is acknowledged again");
        assertEquals(1, notices.size(), "but not reported twice");
    }

    @Test
    void anUnknownMessageIdStillNotifiesWithoutAMessage() {
        StoredMessage toBob = outgoing(BOB, "to bob");
        byte[] unknown = Vault.random(16);
        Envelope first = report(BOB, failure(BOB, unknown, ErrorCode.MAILBOX_FULL));
        // The id of a message to Bob, reported about Carol, must not touch Bob's message.
        Envelope second = report(CAROL, failure(CAROL, toBob.id(), ErrorCode.MAILBOX_FULL));

        receiver.handle(first);
        receiver.handle(second);

        assertEquals(List.of(id(first), id(second)), acknowledged);
        assertEquals(2, notices.size());
        assertArrayEquals(unknown, notices.get(0).messageId());
        assertEquals(ErrorCode.MAILBOX_FULL, notices.get(0).code());
        assertNull(notices.get(0).message());
        assertEquals(CAROL, notices.get(1).destination());
        assertNull(notices.get(1).message());
        assertFalse(device.messages.find(toBob.id()).orElseThrow().failed());
    }

    @Test
    void aMalformedOrForeignReportIsAcknowledgedAndDropped() {
        StoredMessage message = outgoing(BOB, "hello");
        Envelope garbage = envelope(BOB, 0, ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        Envelope fromADevice = envelope(BOB, 3, failure(BOB, message.id(), ErrorCode.UNKNOWN_ACCOUNT).toByteString());
        Envelope otherDestination = report(CAROL, failure(BOB, message.id(), ErrorCode.UNKNOWN_ACCOUNT));
        Envelope otherSender = report(BOB, failure(BOB, message.id(), ErrorCode.UNKNOWN_ACCOUNT).toBuilder()
                .setSourceAddress("mallory@home.test").build());

        for (Envelope envelope : List.of(garbage, fromADevice, otherDestination, otherSender)) {
            receiver.handle(envelope);
        }

        assertEquals(List.of(id(garbage), id(fromADevice), id(otherDestination), id(otherSender)), acknowledged);
        assertTrue(notices.isEmpty());
        assertFalse(device.messages.find(message.id()).orElseThrow().failed());
        assertTrue(device.requests.isEmpty(), "no decryption-error report or anything else went to the relay");
    }

    @Test
    void mismatchedDevicesCorrectTheSessionsBeforeTheNotice() {
        device.sessionsWith(BOB, 1, 2, 3);
        StoredMessage message = outgoing(BOB, "to the wrong devices");
        MismatchedDevices mismatch = MismatchedDevices.newBuilder().addExtraDevices(2).addStaleDevices(3).addMissingDevices(4).build();
        List<Boolean> sessionsAtNotice = new ArrayList<>();
        onNotice = notice -> sessionsAtNotice.addAll(List.of(device.hasSession(BOB, 2), device.hasSession(BOB, 4)));

        receiver.handle(report(BOB, failure(BOB, message.id(), ErrorCode.MISMATCHED_DEVICES).toBuilder()
                .setMismatchedDevices(mismatch).build()));

        assertEquals(ErrorCode.MISMATCHED_DEVICES, device.messages.find(message.id()).orElseThrow().failure());
        assertTrue(device.hasSession(BOB, 1), "an unchanged device keeps its session");
        assertFalse(device.hasSession(BOB, 2), "the removed device's session is gone");
        assertEquals(List.of(3, 4), device.bundlesAskedFor(), "new sessions for the re-registered and the new device");
        assertTrue(device.hasSession(BOB, 3) && device.hasSession(BOB, 4));
        assertEquals(List.of(false, true), sessionsAtNotice, "a retry from the listener reaches the right devices");
        assertEquals(1, acknowledged.size());
    }

    private StoredMessage outgoing(String to, String text) {
        StoredMessage message = new StoredMessage(Vault.random(16), to, SendingDevice.SELF, SendingDevice.SELF_DEVICE, true, text,
                1_000, 1_000, false, false, 0, null);
        assertTrue(device.messages.insert(message));
        return message;
    }

    private static DeliveryFailure failure(String destination, byte[] messageId, ErrorCode code) {
        return DeliveryFailure.newBuilder().setSourceAddress(SendingDevice.SELF).setSourceDevice(SendingDevice.SELF_DEVICE)
                .setDestination(destination).setMessageId(ByteString.copyFrom(messageId)).setCode(code)
                .addEnvelopeIds(EnvelopeIds.toBytes(UUID.randomUUID())).build();
    }

    /** As the relay writes it: from the unreachable address, device 0. */
    private static Envelope report(String unreachable, DeliveryFailure failure) {
        return envelope(unreachable, 0, failure.toByteString());
    }

    private static Envelope envelope(String source, int sourceDevice, ByteString content) {
        return Envelope.newBuilder().setId(EnvelopeIds.toBytes(UUID.randomUUID())).setSourceAddress(source).setSourceDevice(sourceDevice)
                .setType(EnvelopeType.DELIVERY_FAILURE).setClientTimestamp(1_000).setServerTimestamp(2_000).setContent(content).build();
    }

    private static UUID id(Envelope envelope) {
        return EnvelopeIds.fromBytes(envelope.getId());
    }

    private final class RecordingEffects implements MessageReceiver.Effects {
        @Override
        public void acknowledge(UUID envelopeId) {
            acknowledged.add(envelopeId);
        }

        @Override
        public void deliveryFailure(DeliveryFailureNotice notice) {
            onNotice.accept(notice);
            notices.add(notice);
        }

        @Override
        public void stored(StoredMessage message) {
            throw new AssertionError("a delivery failure stores no message");
        }

        @Override
        public void sendReceipt(String to, ReceiptMessage.Type type, List<ByteString> messageIds) {
            throw new AssertionError("a delivery failure is not receipted");
        }

        @Override
        public void resend(String destination, byte[] content) {
            throw new AssertionError("a delivery failure resends nothing by itself");
        }

        @Override
        public void callEvent(CallEvent event) {
            throw new AssertionError("no call events here");
        }
    }
}
