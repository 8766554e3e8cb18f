package org.securecomm.client.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.crypto.Vault;
import org.securecomm.client.store.Outbox;
import org.securecomm.client.transport.Backoff;
import org.securecomm.client.transport.RelayException;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.EnvelopesAccepted;
import org.securecomm.protocol.client.v1.Error;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.Response;

/**
 * Sends through the outbox: kept until the relay answers, resent with the same transport id and
 * the same encrypted bytes (never encrypted again), removed on acceptance, dropped on a definite
 * refusal, and still there after the deadline (and after a restart) for the next connection.
 */
class OutboxTest {

    private static final String BOB = "bob@remote.test";
    private static final byte[] CONTENT = "opaque content".getBytes(StandardCharsets.UTF_8);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private SendingDevice device;
    private FakeClock clock;
    private final List<Duration> slept = new ArrayList<>();

    @BeforeEach
    void setUp(@TempDir Path dir) {
        device = new SendingDevice(dir);
        device.sessionsWith(BOB, 1, 2);
        clock = new FakeClock();
    }

    @AfterEach
    void tearDown() {
        device.close();
    }

    @Test
    void aTransportFailureIsRetriedWithTheSameIdAndBytesAndTheEntryLeavesOnAcceptance() {
        byte[] id = Vault.random(16);
        device.answer = request -> {
            if (sends().size() <= 2) {
                throw new IllegalStateException("the relay closed the connection: 1001 going away");
            }
            return accepted(request);
        };

        assertEquals(2, sender().send(BOB, CONTENT, null, id, 1_000));

        List<byte[]> sends = sendBytes();
        assertEquals(3, sends.size(), "two failures, then accepted");
        assertArrayEquals(sends.get(0), sends.get(1), "a retry is the same request, byte for byte");
        assertArrayEquals(sends.get(0), sends.get(2));
        assertEquals(ByteString.copyFrom(id), device.requests.stream().filter(ClientMessage::hasSendEnvelopes).findFirst()
                .orElseThrow().getSendEnvelopes().getMessageId());
        assertEquals(2, slept.size(), "a backoff before each retry");
        assertTrue(new Outbox(device.db).isEmpty(), "accepted: nothing pending");
    }

    @Test
    void aRelayThatAsksForARetryIsRetriedAndADefiniteRefusalIsNot() {
        device.answer = request -> sends().size() == 1 ? refuse(ErrorCode.UNAVAILABLE) : accepted(request);
        sender().send(BOB, CONTENT, null, Vault.random(16), 1_000);
        assertEquals(2, sends().size(), "UNAVAILABLE (a draining node) is retried");

        device.requests.clear();
        byte[] refusedId = Vault.random(16);
        device.answer = request -> refuse(ErrorCode.UNKNOWN_ACCOUNT);
        RelayException refused = assertThrows(RelayException.class, () -> sender().send(BOB, CONTENT, null, refusedId, 1_001));
        assertEquals(ErrorCode.UNKNOWN_ACCOUNT, refused.code());
        assertEquals(1, sends().size(), "a definite refusal is not retried");
        assertFalse(new Outbox(device.db).contains(refusedId), "nor kept");
    }

    @Test
    void afterTheDeadlineTheSendStaysPendingAndARestartedClientResendsTheSameBytes() {
        byte[] id = Vault.random(16);
        device.answer = request -> {
            throw new IllegalStateException("connection refused");
        };

        SendPendingException pending = assertThrows(SendPendingException.class, () -> sender().send(BOB, CONTENT, null, id, 1_000));
        assertTrue(pending.getMessage().contains("outbox"), pending.getMessage());
        assertTrue(clock.millis() - START <= DEADLINE.toMillis(), "gave up at the deadline, not after it");
        List<byte[]> attempts = sendBytes();
        assertTrue(attempts.size() >= 5, "retried until the deadline with backoff: " + attempts.size() + " attempts");
        Outbox outbox = new Outbox(device.db);
        Outbox.Entry entry = outbox.find(id).orElseThrow();
        assertEquals(BOB, entry.destination());
        assertArrayEquals(attempts.get(0), entry.request(), "the outbox holds the very request that was sent");

        // A flush while the relay is still away stops at once and keeps the entry.
        device.requests.clear();
        List<RelayException> refusals = new ArrayList<>();
        assertEquals(0, reliable(new Outbox(device.db)).flush((e, refusal) -> refusals.add(refusal)));
        assertEquals(1, sends().size());
        assertTrue(outbox.contains(id));

        // The app restarts (a new outbox over the same profile) and the relay is back.
        device.requests.clear();
        device.answer = OutboxTest::accepted;
        assertEquals(1, reliable(new Outbox(device.db)).flush((e, refusal) -> refusals.add(refusal)));
        assertEquals(1, sends().size());
        assertArrayEquals(attempts.get(0), sendBytes().get(0), "resent byte for byte: same id, same ciphertexts");
        assertTrue(outbox.isEmpty());
        assertTrue(refusals.isEmpty());
    }

    @Test
    void aFlushReportsAndDropsARefusedEntry() {
        Outbox outbox = new Outbox(device.db);
        byte[] id = Vault.random(16);
        device.answer = request -> {
            throw new IllegalStateException("connection refused");
        };
        assertThrows(SendPendingException.class, () -> sender().send(BOB, CONTENT, null, id, 1_000));

        device.answer = request -> refuse(ErrorCode.MISMATCHED_DEVICES);
        List<Outbox.Entry> refused = new ArrayList<>();
        assertEquals(0, reliable(outbox).flush((entry, refusal) -> refused.add(entry)));
        assertEquals(1, refused.size());
        assertArrayEquals(id, refused.get(0).id());
        assertTrue(outbox.isEmpty(), "a refused entry is not resent again");
    }

    private static final long START = 1_700_000_000_000L;

    private MessageSender sender() {
        return new MessageSender(device.protocol, device.relay(), device.ownDevices, SendingDevice.SELF, SendingDevice.SELF_DEVICE,
                reliable(new Outbox(device.db)));
    }

    private ReliableSend reliable(Outbox outbox) {
        return new ReliableSend(outbox, device.relay(), clock, DEADLINE,
                () -> new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(5)),
                duration -> {
                    slept.add(duration);
                    clock.advance(duration);
                });
    }

    private List<org.securecomm.protocol.client.v1.SendEnvelopes> sends() {
        return device.requests.stream().filter(ClientMessage::hasSendEnvelopes).map(ClientMessage::getSendEnvelopes).toList();
    }

    private List<byte[]> sendBytes() {
        return sends().stream().map(org.securecomm.protocol.client.v1.SendEnvelopes::toByteArray).toList();
    }

    private static Response accepted(ClientMessage request) {
        EnvelopesAccepted.Builder accepted = EnvelopesAccepted.newBuilder();
        request.getSendEnvelopes().getEnvelopesList().forEach(e -> accepted.addEnvelopeIds(ByteString.copyFrom(Vault.random(16))));
        return Response.newBuilder().setEnvelopesAccepted(accepted).build();
    }

    private static Response refuse(ErrorCode code) {
        throw new RelayException(Error.newBuilder().setCode(code).setMessage("refused").build());
    }

    /** A clock that moves only when the sender waits. */
    private static final class FakeClock extends Clock {
        private long now = START;

        void advance(Duration duration) {
            now += duration.toMillis();
        }

        @Override
        public long millis() {
            return now;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
