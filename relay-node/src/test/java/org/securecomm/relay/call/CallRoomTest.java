package org.securecomm.relay.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.media.MediaForwarder;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.support.TestKits;

/** The CallRoom entity on real Cassandra persistence: ringing, answer elsewhere, signals, recovery, end. */
class CallRoomTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static ActorTestKit testKit;
    private static MediaForwarder forwarder;

    @BeforeAll
    static void start() {
        testKit = TestKits.withCassandra("CallRoomTest");
        forwarder = MediaForwarder.start(new MediaForwarder.Settings("127.0.0.1", 0, "", 1), MediaForwarder.Listener.NONE);
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
        forwarder.close();
    }

    record Pushed(String accountId, int deviceId, DeviceMessage message) {
    }

    private final TestProbe<Pushed> pushes = testKit.createTestProbe();
    private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    private final CallRoom.Participant alice = new CallRoom.Participant("alice-account", "alice@relay.test", 1);
    private final CallRoom.Callee bob = new CallRoom.Callee("bob-account", "bob@relay.test", List.of(1, 2, 3));

    private ActorRef<CallRoom.Command> spawn(String callId, Duration ringTimeout) {
        CallRoom.Settings settings = new CallRoom.Settings(ringTimeout, Duration.ofMinutes(1), 16);
        return testKit.spawn(CallRoom.create(callId, shard.ref(), settings,
                (accountId, deviceId, message) -> pushes.ref().tell(new Pushed(accountId, deviceId, message)), forwarder));
    }

    private CallRoom.Reply ask(ActorRef<CallRoom.Command> room, java.util.function.Function<ActorRef<CallRoom.Reply>, CallRoom.Command> command) {
        TestProbe<CallRoom.Reply> probe = testKit.createTestProbe();
        room.tell(command.apply(probe.ref()));
        return probe.receiveMessage(WAIT);
    }

    private List<Pushed> receive(int count) {
        List<Pushed> received = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            received.add(pushes.receiveMessage(WAIT));
        }
        return received;
    }

    @Test
    void ringsEveryDeviceAndTheFirstAnswerStopsTheOthers() {
        String callId = UUID.randomUUID().toString();
        ActorRef<CallRoom.Command> room = spawn(callId, Duration.ofMinutes(1));
        CallRoom.Reply created = ask(room, r -> new CallRoom.Create(alice, List.of(bob), true, r));
        assertEquals(List.of(alice), ((CallRoom.Accepted) created).participants());
        List<Pushed> rings = receive(3);
        assertEquals(Set.of(1, 2, 3), Set.copyOf(rings.stream().map(Pushed::deviceId).toList()));
        rings.forEach(p -> assertEquals(new DeviceMessage.IncomingCall(callId, "alice@relay.test", 1, true), p.message()));

        CallRoom.Participant bobPhone = new CallRoom.Participant("bob-account", "bob@relay.test", 2);
        CallRoom.Accepted joined = (CallRoom.Accepted) ask(room, r -> new CallRoom.Join(bobPhone, true, null, r));
        assertEquals(List.of(alice, bobPhone), joined.participants());
        List<Pushed> after = receive(3);
        // Devices 1 and 3 stop ringing; alice learns the new participant list.
        assertEquals(2, after.stream().filter(p -> p.message() instanceof DeviceMessage.CallRingingStopped s
                && s.reason() == CallRoom.RingStop.ANSWERED_ELSEWHERE && p.deviceId() != 2).count());
        assertTrue(after.stream().anyMatch(p -> p.accountId().equals("alice-account")
                && p.message() instanceof DeviceMessage.CallParticipants c && c.participants().size() == 2));

        CallRoom.Participant bobLaptop = new CallRoom.Participant("bob-account", "bob@relay.test", 3);
        CallRoom.Refused late = (CallRoom.Refused) ask(room, r -> new CallRoom.Join(bobLaptop, true, null, r));
        assertEquals(CallRoom.Refusal.NOT_RINGING, late.refusal());

        // Signals reach participants only; the payload is forwarded untouched.
        byte[] payload = {1, 2, 3};
        assertInstanceOf(CallRoom.Accepted.class, ask(room, r -> new CallRoom.Signal("alice-account", 1, "bob@relay.test", 0, 1, payload, r)));
        Pushed signal = pushes.receiveMessage(WAIT);
        assertEquals(2, signal.deviceId());
        assertEquals(payload, ((DeviceMessage.CallSignal) signal.message()).payload());
        assertEquals(CallRoom.Refusal.NOT_IN_CALL, ((CallRoom.Refused) ask(room,
                r -> new CallRoom.Signal("alice-account", 1, "bob@relay.test", 3, 1, payload, r))).refusal());
        assertEquals(CallRoom.Refusal.NOT_IN_CALL, ((CallRoom.Refused) ask(room,
                r -> new CallRoom.Signal("bob-account", 3, "alice@relay.test", 0, 1, payload, r))).refusal());
        assertEquals(CallRoom.Refusal.UNKNOWN_CALL, ((CallRoom.Refused) ask(room,
                r -> new CallRoom.Signal("eve-account", 1, "alice@relay.test", 0, 1, payload, r))).refusal());
        pushes.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void everyJoinAdmitsAFreshTokenAndLeavingRevokesIt() {
        String callId = UUID.randomUUID().toString();
        ActorRef<CallRoom.Command> room = spawn(callId, Duration.ofMinutes(1));
        MediaAdmission.Route caller = ((CallRoom.Accepted) ask(room, r -> new CallRoom.Create(alice, List.of(bob), false, r))).media();
        assertEquals("127.0.0.1", caller.host());
        assertEquals(forwarder.port(), caller.port());
        assertNotNull(forwarder.stats(caller.roomId(), caller.token()));
        receive(3);

        CallRoom.Participant bobPhone = new CallRoom.Participant("bob-account", "bob@relay.test", 1);
        MediaAdmission.Route answered = ((CallRoom.Accepted) ask(room, r -> new CallRoom.Join(bobPhone, true, null, r))).media();
        assertEquals(caller.roomId(), answered.roomId(), "one room per call");
        assertNotEquals(caller.token(), answered.token());
        receive(3);

        // A rejoin (e.g. after a reconnect): a new token, the old one revoked.
        MediaAdmission.Route rejoined = ((CallRoom.Accepted) ask(room, r -> new CallRoom.Join(bobPhone, false, null, r))).media();
        assertEquals(caller.roomId(), rejoined.roomId());
        assertNotEquals(answered.token(), rejoined.token());
        assertNull(forwarder.stats(answered.roomId(), answered.token()));
        assertNotNull(forwarder.stats(rejoined.roomId(), rejoined.token()));

        // Other commands carry no route.
        assertNull(((CallRoom.Accepted) ask(room, r -> new CallRoom.Leave("bob-account", 1, r))).media());
        assertNull(forwarder.stats(rejoined.roomId(), rejoined.token()), "leaving revokes the token");
        assertNotNull(forwarder.stats(caller.roomId(), caller.token()));
        receive(1);

        ask(room, r -> new CallRoom.End("alice-account", 1, r));
        receive(1);
        assertNull(forwarder.stats(caller.roomId(), caller.token()), "ending closes the room");
        assertNull(forwarder.admit(caller.roomId()));
    }

    @Test
    void anActiveCallSurvivesARestartAndEndsForEveryone() {
        String callId = UUID.randomUUID().toString();
        ActorRef<CallRoom.Command> room = spawn(callId, Duration.ofMinutes(1));
        ask(room, r -> new CallRoom.Create(alice, List.of(bob), false, r));
        receive(3);
        CallRoom.Participant bobPhone = new CallRoom.Participant("bob-account", "bob@relay.test", 1);
        ask(room, r -> new CallRoom.Join(bobPhone, true, null, r));
        receive(3);
        testKit.stop(room);

        ActorRef<CallRoom.Command> recovered = spawn(callId, Duration.ofMinutes(1));
        // Recovery probes every participant's connection.
        List<Pushed> probes = receive(2);
        assertTrue(probes.stream().allMatch(p -> p.message() instanceof DeviceMessage.CallProbe));
        CallRoom.Accepted rejoined = (CallRoom.Accepted) ask(recovered, r -> new CallRoom.Join(bobPhone, false, null, r));
        assertEquals(List.of(alice, bobPhone), rejoined.participants());
        // The recovered incarnation has a room of its own at the forwarder.
        assertNotNull(forwarder.stats(rejoined.media().roomId(), rejoined.media().token()));

        assertInstanceOf(CallRoom.Accepted.class, ask(recovered, r -> new CallRoom.End("alice-account", 1, r)));
        List<Pushed> ended = receive(2);
        assertTrue(ended.stream().allMatch(p -> p.message() instanceof DeviceMessage.CallEnded e && e.reason() == CallRoom.EndReason.HUNG_UP));
        assertInstanceOf(ClusterSharding.Passivate.class, shard.receiveMessage(WAIT));
        testKit.stop(recovered);
        ActorRef<CallRoom.Command> afterEnd = spawn(callId, Duration.ofMinutes(1));
        assertEquals(CallRoom.Refusal.UNKNOWN_CALL, ((CallRoom.Refused) ask(afterEnd, r -> new CallRoom.Join(bobPhone, false, null, r))).refusal());
    }

    @Test
    void unansweredRingingEndsTheCall() {
        String callId = UUID.randomUUID().toString();
        CallRoom.Callee carol = new CallRoom.Callee("carol-account", "carol@relay.test", List.of(1));
        ActorRef<CallRoom.Command> room = spawn(callId, Duration.ofMillis(500));
        ask(room, r -> new CallRoom.Create(alice, List.of(bob, carol), false, r));
        receive(4);
        ask(room, r -> new CallRoom.Decline("bob-account", 1, r));
        List<Pushed> declined = receive(3); // bob's devices 2 and 3 stop ringing, alice hears the decline
        assertTrue(declined.stream().anyMatch(p -> p.message().equals(new DeviceMessage.CallUnanswered(callId, "bob@relay.test", CallRoom.Unanswered.DECLINED))));
        // Carol never answers: missed, and with nobody left to answer the call ends.
        List<Pushed> missed = receive(3);
        assertTrue(missed.contains(new Pushed("carol-account", 1, new DeviceMessage.CallRingingStopped(callId, CallRoom.RingStop.MISSED))));
        assertTrue(missed.contains(new Pushed("alice-account", 1, new DeviceMessage.CallUnanswered(callId, "carol@relay.test", CallRoom.Unanswered.MISSED))));
        assertTrue(missed.contains(new Pushed("alice-account", 1, new DeviceMessage.CallEnded(callId, CallRoom.EndReason.NOT_ANSWERED))));
    }
}
