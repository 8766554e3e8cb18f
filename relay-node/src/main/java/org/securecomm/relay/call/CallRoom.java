package org.securecomm.relay.call;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.session.DeviceMessage;

/**
 * One call, keyed by its random id: rings the callees' devices, knows which devices are in the
 * call and relays signalling between them. Only the lifecycle is persisted (created, invited,
 * joined, left, ended) so that an active call survives a restart and can be rejoined; ringing is
 * soft state (a restart stops it) and signal payloads are forwarded, never stored or logged.
 *
 * <p>Media: each incarnation of the room opens a room at the media forwarder of its node (the
 * {@link MediaAdmission} it is given) and admits a fresh token for every device that starts,
 * answers, joins or rejoins; the reply carries the route. Leaving revokes the device's token,
 * ending or stopping closes the room. This is soft state too: after a restart the devices get new
 * routes when they JoinCall again.
 */
public final class CallRoom extends EventSourcedBehavior<CallRoom.Command, CallRoom.Event, CallState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "CallRoom");

    public record Settings(Duration ringTimeout, Duration rejoinWindow, int maxParticipants) {
    }

    /** Delivers a push to one device if it is connected (UserSession.Notify in production). */
    public interface Notifier {
        void notify(String accountId, int deviceId, DeviceMessage message);
    }

    /** A device in the call. A device of another cluster has its address as account id. */
    public record Participant(String accountId, String address, int deviceId) implements CborSerializable {
        /** Of another cluster (its home relay relays for it). */
        public boolean remote() {
            return isRemote(accountId);
        }
    }

    /** Rings every device of an account of another cluster: its home relay knows them. */
    public static final int ALL_DEVICES = 0;

    /** Account ids of this cluster are opaque and never contain '@'; those of other clusters' accounts are their addresses. */
    public static boolean isRemote(String accountId) {
        return accountId.indexOf('@') >= 0;
    }

    /** An account rung for the call. */
    public record Invitee(String accountId, String address) implements CborSerializable {
    }

    /** An account to ring, with the devices it has now. */
    public record Callee(String accountId, String address, List<Integer> deviceIds) implements CborSerializable {
        Invitee invitee() {
            return new Invitee(accountId, address);
        }
    }

    // ------------------------------------------------------------------ protocol

    public sealed interface Command extends CborSerializable {
    }

    public record Create(Participant caller, List<Callee> callees, boolean video, ActorRef<Reply> replyTo) implements Command {
    }

    /**
     * AnswerCall ({@code answer}: only while the device's account is ringing) or JoinCall.
     * {@code cascade}: null for a device of this cluster; for a device of another cluster, the
     * forwarder link ("domain/link id") its media comes through, which shares one token.
     */
    public record Join(Participant device, boolean answer, String cascade, ActorRef<Reply> replyTo) implements Command {
    }

    public record Decline(String accountId, int deviceId, ActorRef<Reply> replyTo) implements Command {
    }

    public record Cancel(String accountId, int deviceId, ActorRef<Reply> replyTo) implements Command {
    }

    public record Invite(String accountId, int deviceId, List<Callee> invitees, ActorRef<Reply> replyTo) implements Command {
    }

    public record Leave(String accountId, int deviceId, ActorRef<Reply> replyTo) implements Command {
    }

    public record End(String accountId, int deviceId, ActorRef<Reply> replyTo) implements Command {
    }

    /** {@code toDevice} 0: every participant device of {@code toAddress}. */
    public record Signal(String accountId, int deviceId, String toAddress, int toDevice, int kind, byte[] payload,
                         ActorRef<Reply> replyTo) implements Command {
    }

    /** A ringing device's connection is in another call: the callee is busy. */
    public record ReportBusy(String accountId, int deviceId) implements Command {
    }

    /** A participant's connection closed: it has the rejoin window to come back. */
    public record ConnectionLost(String accountId, int deviceId) implements Command {
    }

    /** A participant's connection answered the probe sent after recovery: it is still in the call. */
    public record StillHere(String accountId, int deviceId) implements Command {
    }

    private record RingTimeout(String accountId) implements Command {
    }

    private record RejoinTimeout(String accountId, int deviceId) implements Command {
    }

    public sealed interface Reply extends CborSerializable {
    }

    /** {@code media}: the requesting device's route for Create and Join, null for the other commands. */
    public record Accepted(boolean video, List<Participant> participants, MediaAdmission.Route media) implements Reply {
    }

    public record Refused(Refusal refusal, String message) implements Reply {
    }

    public enum Refusal { UNKNOWN_CALL, NOT_IN_CALL, NOT_RINGING, FULL, FORBIDDEN }

    public enum RingStop { ANSWERED_ELSEWHERE, DECLINED_ELSEWHERE, BUSY, CANCELLED, MISSED, CALL_ENDED }

    public enum Unanswered { DECLINED, BUSY, MISSED }

    public enum EndReason { HUNG_UP, ALL_LEFT, CANCELLED, NOT_ANSWERED }

    public enum LeaveReason { LEFT, CONNECTION_LOST }

    // ------------------------------------------------------------------ events

    public sealed interface Event extends CborSerializable {
    }

    public record CallCreated(Participant caller, List<Invitee> callees, boolean video) implements Event {
    }

    public record ParticipantsInvited(List<Invitee> invitees) implements Event {
    }

    public record ParticipantJoined(Participant participant) implements Event {
    }

    public record ParticipantLeft(String accountId, int deviceId, LeaveReason reason) implements Event {
    }

    public record CallEnded(EndReason reason) implements Event {
    }

    // ------------------------------------------------------------------ behaviour

    public static Behavior<Command> create(String callId, ActorRef<ClusterSharding.ShardCommand> shard, Settings settings,
                                           Notifier notifier, MediaAdmission media) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new CallRoom(callId, context, timers, shard, settings, notifier, media)));
    }

    private record Ring(String address, List<Integer> deviceIds) {
    }

    private record DeviceKey(String accountId, int deviceId) {
    }

    private static final Accepted DONE = new Accepted(false, List.of(), null);

    private final String callId;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final Settings settings;
    private final Notifier notifier;
    private final MediaAdmission media;
    // Soft state: accounts whose devices are ringing now.
    private final Map<String, Ring> ringing = new LinkedHashMap<>();
    // Soft state: this incarnation's room at the forwarder (null until the first admission) and
    // the route of every device admitted into it.
    private Long mediaRoom;
    private final Map<DeviceKey, MediaAdmission.Route> routes = new LinkedHashMap<>();
    // Soft state: the token of each cascade link of another cluster ("domain/link id").
    private final Map<String, MediaAdmission.Route> cascades = new LinkedHashMap<>();

    private CallRoom(String callId, ActorContext<Command> context, TimerScheduler<Command> timers,
                     ActorRef<ClusterSharding.ShardCommand> shard, Settings settings, Notifier notifier, MediaAdmission media) {
        super(PersistenceId.of(TYPE_KEY.name(), callId));
        this.callId = callId;
        this.context = context;
        this.timers = timers;
        this.shard = shard;
        this.settings = settings;
        this.notifier = notifier;
        this.media = media;
    }

    @Override
    public CallState emptyState() {
        return new CallState();
    }

    @Override
    public EventHandler<CallState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(CallState::apply);
    }

    // After a restart or a rebalance nobody knows which participants are still there: each gets
    // the rejoin window, and a connection that is still in the call says so at once.
    @Override
    public SignalHandler<CallState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.active()) {
                        // Devices of other clusters are not probed: their home relay reports a lost connection.
                        for (Participant p : state.participants().stream().filter(p -> !p.remote()).toList()) {
                            timers.startSingleTimer(new RejoinTimeout(p.accountId(), p.deviceId()), settings.rejoinWindow());
                            notifier.notify(p.accountId(), p.deviceId(), new DeviceMessage.CallProbe(callId));
                        }
                    }
                })
                // Stopped for any reason (ended, rebalanced, node shutdown, failure): the forwarder forgets the room.
                .onSignal(PostStop.instance(), state -> closeMediaRoom())
                .build();
    }

    @Override
    public CommandHandler<Command, Event, CallState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Create.class, this::onCreate)
                .onCommand(Join.class, this::onJoin)
                .onCommand(Decline.class, this::onDecline)
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Invite.class, this::onInvite)
                .onCommand(Leave.class, this::onLeave)
                .onCommand(End.class, this::onEnd)
                .onCommand(Signal.class, this::onSignal)
                .onCommand(ReportBusy.class, (state, cmd) -> {
                    if (!state.active()) {
                        return passivate();
                    }
                    return ringing.containsKey(cmd.accountId())
                            ? unanswered(state, cmd.accountId(), cmd.deviceId(), RingStop.BUSY, Unanswered.BUSY)
                            : Effect().none();
                })
                .onCommand(ConnectionLost.class, (state, cmd) -> {
                    if (!state.active()) {
                        return passivate();
                    }
                    if (state.participant(cmd.accountId(), cmd.deviceId()) != null) {
                        timers.startSingleTimer(new RejoinTimeout(cmd.accountId(), cmd.deviceId()), settings.rejoinWindow());
                        // The device may already be back on a newer connection that is in the call.
                        notifier.notify(cmd.accountId(), cmd.deviceId(), new DeviceMessage.CallProbe(callId));
                    }
                    return Effect().none();
                })
                .onCommand(StillHere.class, (state, cmd) -> {
                    timers.cancel(new RejoinTimeout(cmd.accountId(), cmd.deviceId()));
                    return Effect().none();
                })
                .onCommand(RingTimeout.class, (state, cmd) -> state.active() && ringing.containsKey(cmd.accountId())
                        ? unanswered(state, cmd.accountId(), 0, RingStop.MISSED, Unanswered.MISSED)
                        : Effect().none())
                .onCommand(RejoinTimeout.class, (state, cmd) -> state.active() && state.participant(cmd.accountId(), cmd.deviceId()) != null
                        ? leave(state, cmd.accountId(), cmd.deviceId(), LeaveReason.CONNECTION_LOST)
                        : Effect().none())
                .build();
    }

    private Effect<Event, CallState> onCreate(CallState state, Create cmd) {
        if (state.active() || state.ended()) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.FORBIDDEN, "the call id is taken"));
        }
        return Effect().persist(new CallCreated(cmd.caller(), cmd.callees().stream().map(Callee::invitee).toList(), cmd.video()))
                .thenRun(s -> {
                    context.getLog().debug("call {} started with {} callee(s)", callId, cmd.callees().size());
                    admit(cmd.caller(), null);
                    cmd.callees().forEach(callee -> ring(callee, cmd.caller(), cmd.video()));
                })
                .thenReply(cmd.replyTo(), s -> accepted(s, cmd.caller()));
    }

    private Effect<Event, CallState> onJoin(CallState state, Join cmd) {
        Participant device = cmd.device();
        if (!state.active() || !state.isInvited(device.accountId())) {
            return unknown(state, cmd.replyTo());
        }
        if (cmd.answer() && !ringing.containsKey(device.accountId())) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_RINGING,
                    "this call is not ringing for you any more (answered elsewhere, declined, missed or cancelled): JoinCall joins it"));
        }
        if (state.participant(device.accountId(), device.deviceId()) != null) {
            timers.cancel(new RejoinTimeout(device.accountId(), device.deviceId())); // a rejoin: a new token, the old one revoked
            return Effect().none().thenRun(s -> admit(device, cmd.cascade())).thenReply(cmd.replyTo(), s -> accepted(s, device));
        }
        if (state.participants().size() >= settings.maxParticipants()) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.FULL, "the call has " + settings.maxParticipants() + " participants"));
        }
        return Effect().persist(new ParticipantJoined(device))
                .thenRun(s -> {
                    admit(device, cmd.cascade());
                    stopRinging(device.accountId(), device.deviceId(), RingStop.ANSWERED_ELSEWHERE);
                    pushParticipants(s, device);
                })
                .thenReply(cmd.replyTo(), s -> accepted(s, device));
    }

    private Effect<Event, CallState> onDecline(CallState state, Decline cmd) {
        if (!state.active() || !state.isInvited(cmd.accountId())) {
            return unknown(state, cmd.replyTo());
        }
        if (!ringing.containsKey(cmd.accountId())) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_RINGING, "this call is not ringing for you any more"));
        }
        return unanswered(state, cmd.accountId(), cmd.deviceId(), RingStop.DECLINED_ELSEWHERE, Unanswered.DECLINED)
                .thenReply(cmd.replyTo(), s -> DONE);
    }

    private Effect<Event, CallState> onCancel(CallState state, Cancel cmd) {
        if (!state.active() || !state.isInvited(cmd.accountId())) {
            return unknown(state, cmd.replyTo());
        }
        if (!cmd.accountId().equals(state.callerAccountId()) || state.participant(cmd.accountId(), cmd.deviceId()) == null) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.FORBIDDEN, "only the caller, while in the call, cancels the ringing"));
        }
        if (ringing.isEmpty()) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_RINGING, "nothing is ringing any more"));
        }
        List.copyOf(ringing.keySet()).forEach(accountId -> stopRinging(accountId, 0, RingStop.CANCELLED));
        EffectBuilder<Event, CallState> effect = state.everAnswered() ? Effect().none() : end(state, EndReason.CANCELLED);
        return effect.thenReply(cmd.replyTo(), s -> DONE);
    }

    private Effect<Event, CallState> onInvite(CallState state, Invite cmd) {
        if (!state.active() || !state.isInvited(cmd.accountId())) {
            return unknown(state, cmd.replyTo());
        }
        Participant inviter = state.participant(cmd.accountId(), cmd.deviceId());
        if (inviter == null) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_IN_CALL, "only a participant invites others"));
        }
        // Accounts already in the call or ringing are not rung again; one that declined or missed is.
        List<Callee> toRing = new ArrayList<>();
        for (Callee callee : cmd.invitees()) {
            boolean present = state.participants().stream().anyMatch(p -> p.accountId().equals(callee.accountId()));
            if (!present && !ringing.containsKey(callee.accountId())) {
                toRing.add(callee);
            }
        }
        List<Invitee> newlyInvited = toRing.stream().filter(c -> !state.isInvited(c.accountId())).map(Callee::invitee).toList();
        EffectBuilder<Event, CallState> effect = newlyInvited.isEmpty() ? Effect().none() : Effect().persist(new ParticipantsInvited(newlyInvited));
        return effect.thenRun(s -> toRing.forEach(callee -> ring(callee, inviter, s.video())))
                .thenReply(cmd.replyTo(), s -> DONE);
    }

    private Effect<Event, CallState> onLeave(CallState state, Leave cmd) {
        if (!state.active() || !state.isInvited(cmd.accountId())) {
            return unknown(state, cmd.replyTo());
        }
        if (state.participant(cmd.accountId(), cmd.deviceId()) == null) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_IN_CALL, "this device is not in the call"));
        }
        return leave(state, cmd.accountId(), cmd.deviceId(), LeaveReason.LEFT).thenReply(cmd.replyTo(), s -> DONE);
    }

    private Effect<Event, CallState> onEnd(CallState state, End cmd) {
        if (!state.active() || !state.isInvited(cmd.accountId())) {
            return unknown(state, cmd.replyTo());
        }
        if (state.participant(cmd.accountId(), cmd.deviceId()) == null) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_IN_CALL, "only a participant ends the call"));
        }
        return end(state, EndReason.HUNG_UP).thenReply(cmd.replyTo(), s -> DONE);
    }

    private Effect<Event, CallState> onSignal(CallState state, Signal cmd) {
        if (!state.active() || !state.isInvited(cmd.accountId())) {
            return unknown(state, cmd.replyTo());
        }
        Participant from = state.participant(cmd.accountId(), cmd.deviceId());
        if (from == null) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_IN_CALL, "join the call before signalling in it"));
        }
        List<Participant> targets = state.participants().stream()
                .filter(p -> p.address().equals(cmd.toAddress()) && (cmd.toDevice() == 0 || p.deviceId() == cmd.toDevice()))
                .filter(p -> !p.equals(from))
                .toList();
        if (targets.isEmpty()) {
            return Effect().reply(cmd.replyTo(), new Refused(Refusal.NOT_IN_CALL, cmd.toAddress()
                    + (cmd.toDevice() == 0 ? "" : " device " + cmd.toDevice()) + " is not in the call"));
        }
        DeviceMessage.CallSignal signal = new DeviceMessage.CallSignal(callId, from.address(), from.deviceId(), cmd.kind(), cmd.payload());
        targets.forEach(p -> notifier.notify(p.accountId(), p.deviceId(), signal));
        return Effect().reply(cmd.replyTo(), DONE);
    }

    // ------------------------------------------------------------------ helpers

    private void ring(Callee callee, Participant caller, boolean video) {
        ringing.put(callee.accountId(), new Ring(callee.address(), List.copyOf(callee.deviceIds())));
        timers.startSingleTimer(new RingTimeout(callee.accountId()), settings.ringTimeout());
        DeviceMessage incoming = new DeviceMessage.IncomingCall(callId, caller.address(), caller.deviceId(), video);
        callee.deviceIds().forEach(deviceId -> notifier.notify(callee.accountId(), deviceId, incoming));
    }

    /** Stops the ringing of one account on every device but {@code exceptDevice} (0: none). */
    private void stopRinging(String accountId, int exceptDevice, RingStop reason) {
        Ring ring = ringing.remove(accountId);
        if (ring == null) {
            return;
        }
        timers.cancel(new RingTimeout(accountId));
        DeviceMessage stopped = new DeviceMessage.CallRingingStopped(callId, reason);
        // An account of another cluster is told as a whole; its home relay spares the devices in the call.
        ring.deviceIds().stream().filter(d -> d == ALL_DEVICES || d != exceptDevice).forEach(d -> notifier.notify(accountId, d, stopped));
    }

    /** A callee declined, was busy or missed the call; with nobody left to answer, it ends. */
    private EffectBuilder<Event, CallState> unanswered(CallState state, String accountId, int exceptDevice, RingStop stop, Unanswered why) {
        String address = ringing.get(accountId).address();
        stopRinging(accountId, exceptDevice, stop);
        DeviceMessage outcome = new DeviceMessage.CallUnanswered(callId, address, why);
        state.participants().forEach(p -> notifier.notify(p.accountId(), p.deviceId(), outcome));
        return ringing.isEmpty() && !state.everAnswered() ? end(state, EndReason.NOT_ANSWERED) : Effect().none();
    }

    private EffectBuilder<Event, CallState> leave(CallState state, String accountId, int deviceId, LeaveReason reason) {
        timers.cancel(new RejoinTimeout(accountId, deviceId));
        ParticipantLeft left = new ParticipantLeft(accountId, deviceId, reason);
        if (state.participants().size() == 1) {
            return endWith(List.of(left, new CallEnded(EndReason.ALL_LEFT)), List.of(), EndReason.ALL_LEFT);
        }
        return Effect().persist(left).thenRun(s -> {
            revoke(accountId, deviceId);
            pushParticipants(s, null);
        });
    }

    /** Ends the call; every participant (the one that ended it too: all its connections learn) hears why. */
    private EffectBuilder<Event, CallState> end(CallState state, EndReason reason) {
        return endWith(List.of(new CallEnded(reason)), state.participants(), reason);
    }

    private EffectBuilder<Event, CallState> endWith(List<Event> events, List<Participant> toTell, EndReason reason) {
        return Effect().persist(events).thenRun(s -> {
            context.getLog().debug("call {} ended: {}", callId, reason);
            closeMediaRoom();
            List.copyOf(ringing.keySet()).forEach(accountId -> stopRinging(accountId, 0, RingStop.CALL_ENDED));
            DeviceMessage ended = new DeviceMessage.CallEnded(callId, reason);
            toTell.forEach(p -> notifier.notify(p.accountId(), p.deviceId(), ended));
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        });
    }

    private Accepted accepted(CallState state, Participant device) {
        return new Accepted(state.video(), state.participants(), routes.get(new DeviceKey(device.accountId(), device.deviceId())));
    }

    /**
     * A fresh token for the device (its previous one, if any, stops working); the devices of one
     * cascade link of another cluster share that link's token, admitted once.
     */
    private void admit(Participant device, String cascade) {
        revoke(device.accountId(), device.deviceId());
        MediaAdmission.Route route = cascade == null ? null : cascades.get(cascade);
        if (route == null) {
            route = mediaRoom == null ? null : media.admit(mediaRoom);
            if (route == null) {
                // First admission of this incarnation (or the forwarder forgot the room): open one.
                mediaRoom = media.openRoom();
                route = media.admit(mediaRoom);
            }
            if (cascade != null) {
                cascades.put(cascade, route);
            }
        }
        routes.put(new DeviceKey(device.accountId(), device.deviceId()), route);
    }

    /** Revokes the device's token, unless other devices of the same cascade link still use it. */
    private void revoke(String accountId, int deviceId) {
        MediaAdmission.Route route = routes.remove(new DeviceKey(accountId, deviceId));
        if (route != null && !routes.containsValue(route)) {
            media.revoke(route.roomId(), route.token());
            cascades.values().remove(route);
        }
    }

    private void closeMediaRoom() {
        if (mediaRoom != null) {
            media.closeRoom(mediaRoom);
            mediaRoom = null;
            routes.clear();
            cascades.clear();
        }
    }

    private void pushParticipants(CallState state, Participant except) {
        List<Participant> participants = state.participants();
        DeviceMessage message = new DeviceMessage.CallParticipants(callId, participants);
        participants.stream().filter(p -> !p.equals(except)).forEach(p -> notifier.notify(p.accountId(), p.deviceId(), message));
    }

    /** Unknown, ended and not-invited look the same, so a call id reveals nothing to outsiders. */
    private Effect<Event, CallState> unknown(CallState state, ActorRef<Reply> replyTo) {
        Refused refused = new Refused(Refusal.UNKNOWN_CALL, "no such call (ended, or never existed)");
        if (!state.active()) {
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        }
        return Effect().reply(replyTo, refused);
    }

    private Effect<Event, CallState> passivate() {
        shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
        return Effect().none();
    }
}
