package org.securecomm.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.client.v1.AnswerCall;
import org.securecomm.protocol.client.v1.CallEndReason;
import org.securecomm.protocol.client.v1.CallParticipant;
import org.securecomm.protocol.client.v1.CallSignalKind;
import org.securecomm.protocol.client.v1.CancelCall;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DeclineCall;
import org.securecomm.protocol.client.v1.EndCall;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.JoinCall;
import org.securecomm.protocol.client.v1.Ping;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.RingStopReason;
import org.securecomm.protocol.client.v1.SendCallSignal;
import org.securecomm.protocol.client.v1.StartCall;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** Call signalling end to end over WebSockets: ringing, answer elsewhere, decline, cancel, missed, busy, signals, rejoin. */
class CallSignallingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Map<String, Object> SHORT_RING = Map.of("securecomm.calls.ring-timeout", "1s");
    private static final CapturingCodeSender codes = new CapturingCodeSender();
    private static RelayNode node;

    @BeforeAll
    static void start() {
        node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), codes, SHORT_RING);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static TestDevice register(String url, String name) {
        String suffix = Long.toString(System.nanoTime(), 36);
        return TestDevice.register(url, codes, name + "-" + suffix + "@example.org", name + suffix);
    }

    /** The next push matching {@code wanted}, skipping others (QueueEmpty...). */
    private static Push await(TestDevice device, Predicate<Push> wanted) throws InterruptedException {
        return device.await(wanted, WAIT);
    }

    private static void assertNoPush(TestDevice device, Predicate<Push> unwanted, Duration during) throws InterruptedException {
        long deadline = System.nanoTime() + during.toNanos();
        while (System.nanoTime() < deadline) {
            Push push = device.nextPush(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertTrue(push == null || !unwanted.test(push), "unexpected push " + push);
        }
    }

    private static String startCall(TestDevice caller, TestDevice... callees) {
        StartCall.Builder start = StartCall.newBuilder();
        for (TestDevice callee : callees) {
            start.addCallees(callee.address);
        }
        return caller.call(ClientMessage.newBuilder().setStartCall(start)).getCallStarted().getCallId();
    }

    private static Response signal(TestDevice from, String callId, TestDevice to, int toDevice, byte[] payload) {
        return from.request(ClientMessage.newBuilder().setSendCallSignal(SendCallSignal.newBuilder().setCallId(callId)
                .setToAddress(to.address).setToDevice(toDevice).setKind(CallSignalKind.OFFER).setPayload(ByteString.copyFrom(payload))));
    }

    private static Predicate<Push> ringStopped(String callId, RingStopReason reason) {
        return p -> p.hasCallRingingStopped() && p.getCallRingingStopped().getCallId().equals(callId)
                && p.getCallRingingStopped().getReason() == reason;
    }

    private static Predicate<Push> ended(String callId, CallEndReason reason) {
        return p -> p.hasCallEnded() && p.getCallEnded().getCallId().equals(callId) && p.getCallEnded().getReason() == reason;
    }

    @Test
    void ringsEveryDeviceTheFirstAnswerWinsAndSignalsReachOnlyParticipants() throws Exception {
        String url = node.clientUrl();
        TestDevice alice = register(url, "alice");
        TestDevice bobPhone = register(url, "bob");
        TestDevice bobLaptop = bobPhone.addDevice(url);
        TestDevice eve = register(url, "eve");

        String callId = startCall(alice, bobPhone);
        assertTrue(callId.matches("[A-Za-z0-9_-]{22}@" + java.util.regex.Pattern.quote(node.domain())), callId);
        for (TestDevice device : List.of(bobPhone, bobLaptop)) {
            Push ring = await(device, Push::hasIncomingCall);
            assertEquals(callId, ring.getIncomingCall().getCallId());
            assertEquals(alice.address, ring.getIncomingCall().getCallerAddress());
        }

        var joined = bobLaptop.call(ClientMessage.newBuilder().setAnswerCall(AnswerCall.newBuilder().setCallId(callId))).getCallJoined();
        assertEquals(List.of(participant(alice), participant(bobLaptop)), joined.getParticipantsList());
        await(bobPhone, ringStopped(callId, RingStopReason.RING_ANSWERED_ELSEWHERE));
        assertEquals(2, await(alice, Push::hasCallParticipants).getCallParticipants().getParticipantsCount());
        assertEquals(ErrorCode.CALL_NOT_RINGING, bobPhone.request(ClientMessage.newBuilder()
                .setAnswerCall(AnswerCall.newBuilder().setCallId(callId))).getError().getCode());

        // to_device 0 reaches every participant device of bob: the laptop, not the phone.
        byte[] offer = TestDevice.randomBytes(3000);
        assertTrue(signal(alice, callId, bobPhone, 0, offer).hasCallSignalSent());
        Push received = await(bobLaptop, Push::hasCallSignal);
        assertEquals(alice.address, received.getCallSignal().getFromAddress());
        assertEquals(CallSignalKind.OFFER, received.getCallSignal().getKind());
        assertArrayEquals(offer, received.getCallSignal().getPayload().toByteArray());
        assertNoPush(bobPhone, Push::hasCallSignal, Duration.ofMillis(300));

        assertEquals(ErrorCode.NOT_IN_CALL, signal(alice, callId, bobPhone, bobPhone.deviceId, offer).getError().getCode());
        assertEquals(ErrorCode.NOT_IN_CALL, signal(bobPhone, callId, alice, 0, offer).getError().getCode());
        assertEquals(ErrorCode.NOT_IN_CALL, signal(alice, callId, eve, 0, offer).getError().getCode());
        assertEquals(ErrorCode.UNKNOWN_CALL, signal(eve, callId, alice, 0, offer).getError().getCode());
        assertEquals(ErrorCode.UNKNOWN_CALL, signal(alice, "not-a-call", bobLaptop, 0, offer).getError().getCode());
        assertEquals(ErrorCode.FRAME_TOO_LARGE, signal(alice, callId, bobLaptop, 0, new byte[17 * 1024]).getError().getCode());
        assertEquals(ErrorCode.INVALID_ARGUMENT, alice.request(ClientMessage.newBuilder().setSendCallSignal(SendCallSignal.newBuilder()
                .setCallId(callId).setToAddress(bobLaptop.address))).getError().getCode());
        assertEquals(ErrorCode.INVALID_ARGUMENT, alice.request(ClientMessage.newBuilder()
                .setStartCall(StartCall.newBuilder().addCallees(alice.address))).getError().getCode());
        assertTrue(alice.call(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance())).hasPong(), "bad input leaves the connection usable");

        bobLaptop.call(ClientMessage.newBuilder().setEndCall(EndCall.newBuilder().setCallId(callId)));
        await(alice, ended(callId, CallEndReason.CALL_HUNG_UP));
        assertEquals(ErrorCode.UNKNOWN_CALL, signal(alice, callId, bobLaptop, 0, offer).getError().getCode());
        for (TestDevice device : List.of(alice, bobPhone, bobLaptop, eve)) {
            device.close();
        }
    }

    @Test
    void declineCancelMissedAndBusy() throws Exception {
        String url = node.clientUrl();
        TestDevice alice = register(url, "ann");
        TestDevice carol = register(url, "carol");
        TestDevice bobPhone = register(url, "ben");
        TestDevice bobLaptop = bobPhone.addDevice(url);
        TestDevice dave = register(url, "dave");

        // Decline: the only callee declined, so the caller hears it and the call ends.
        String declined = startCall(alice, carol);
        await(carol, Push::hasIncomingCall);
        carol.call(ClientMessage.newBuilder().setDeclineCall(DeclineCall.newBuilder().setCallId(declined)));
        assertEquals(carol.address, await(alice, Push::hasCallDeclined).getCallDeclined().getAddress());
        await(alice, ended(declined, CallEndReason.CALL_NOT_ANSWERED));

        // Cancel: the ringing stops.
        String cancelled = startCall(alice, carol);
        await(carol, Push::hasIncomingCall);
        alice.call(ClientMessage.newBuilder().setCancelCall(CancelCall.newBuilder().setCallId(cancelled)));
        await(carol, ringStopped(cancelled, RingStopReason.RING_CANCELLED));
        assertEquals(ErrorCode.UNKNOWN_CALL, carol.request(ClientMessage.newBuilder()
                .setAnswerCall(AnswerCall.newBuilder().setCallId(cancelled))).getError().getCode());

        // Missed: nobody answers within the (1 s) ring timeout.
        String missed = startCall(alice, carol);
        await(carol, Push::hasIncomingCall);
        await(carol, ringStopped(missed, RingStopReason.RING_MISSED));
        assertEquals(carol.address, await(alice, Push::hasCallMissed).getCallMissed().getAddress());
        await(alice, ended(missed, CallEndReason.CALL_NOT_ANSWERED));

        // Busy: bob's laptop is in a call with alice; dave's call finds bob busy.
        String first = startCall(alice, bobPhone);
        await(bobLaptop, Push::hasIncomingCall);
        bobLaptop.call(ClientMessage.newBuilder().setAnswerCall(AnswerCall.newBuilder().setCallId(first)));
        String second = startCall(dave, bobPhone);
        assertEquals(bobPhone.address, await(dave, Push::hasCallBusy).getCallBusy().getAddress());
        await(dave, ended(second, CallEndReason.CALL_NOT_ANSWERED));
        await(bobPhone, ringStopped(second, RingStopReason.RING_BUSY));
        // The busy laptop hears of the attempt (for its history), but its call makes the account busy.
        assertEquals(dave.address, await(bobLaptop, p -> p.hasIncomingCall() && p.getIncomingCall().getCallId().equals(second))
                .getIncomingCall().getCallerAddress());
        // The call the laptop is in goes on.
        assertTrue(signal(alice, first, bobLaptop, 0, new byte[] {7}).hasCallSignalSent());
        for (TestDevice device : List.of(alice, carol, bobPhone, bobLaptop, dave)) {
            device.close();
        }
    }

    @Test
    void anActiveCallIsRejoinedAfterARestartOfTheNode() throws Exception {
        String identifierKey = TestRelays.newIdentifierKey();
        RelayNode restarting = TestRelays.start(SharedCassandra.get(), identifierKey, codes, Map.of());
        TestDevice alice = register(restarting.clientUrl(), "amy");
        TestDevice bob = register(restarting.clientUrl(), "bill");
        String callId = startCall(alice, bob);
        await(bob, Push::hasIncomingCall);
        bob.call(ClientMessage.newBuilder().setAnswerCall(AnswerCall.newBuilder().setCallId(callId)));
        restarting.close();

        restarting = TestRelays.start(SharedCassandra.get(), identifierKey, codes, Map.of());
        try {
            alice.connect(restarting.clientUrl());
            bob.connect(restarting.clientUrl());
            for (TestDevice device : List.of(alice, bob)) {
                var rejoined = device.call(ClientMessage.newBuilder().setJoinCall(JoinCall.newBuilder().setCallId(callId))).getCallJoined();
                assertEquals(List.of(participant(alice), participant(bob)), rejoined.getParticipantsList());
                // The restarted node's forwarder knew nothing of the call: the rejoin brings a route to it.
                assertEquals(TestRelays.forwarder(restarting).port(), rejoined.getMedia().getPort());
                assertEquals(8, rejoined.getMedia().getToken().size());
            }
            byte[] key = TestDevice.randomBytes(100);
            assertTrue(signal(bob, callId, alice, 0, key).hasCallSignalSent());
            assertArrayEquals(key, await(alice, Push::hasCallSignal).getCallSignal().getPayload().toByteArray());
            alice.call(ClientMessage.newBuilder().setEndCall(EndCall.newBuilder().setCallId(callId)));
            await(bob, ended(callId, CallEndReason.CALL_HUNG_UP));
            alice.close();
            bob.close();
        } finally {
            restarting.close();
        }
    }

    private static CallParticipant participant(TestDevice device) {
        return CallParticipant.newBuilder().setAddress(device.address).setDeviceId(device.deviceId).build();
    }
}
