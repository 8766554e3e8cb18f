package org.securecomm.client.call;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.securecomm.client.messaging.MessageSender;
import org.securecomm.client.store.CallHistoryStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.client.transport.Relay;
import org.securecomm.client.transport.RelayException;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.protocol.client.v1.AnswerCall;
import org.securecomm.protocol.client.v1.CallEndReason;
import org.securecomm.protocol.client.v1.CallJoined;
import org.securecomm.protocol.client.v1.CallParticipant;
import org.securecomm.protocol.client.v1.CallSignal;
import org.securecomm.protocol.client.v1.CallSignalKind;
import org.securecomm.protocol.client.v1.CancelCall;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DeclineCall;
import org.securecomm.protocol.client.v1.EndCall;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.IncomingCall;
import org.securecomm.protocol.client.v1.InviteToCall;
import org.securecomm.protocol.client.v1.JoinCall;
import org.securecomm.protocol.client.v1.LeaveCall;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.RingStopReason;
import org.securecomm.protocol.client.v1.SendCallSignal;
import org.securecomm.protocol.client.v1.StartCall;
import org.securecomm.protocol.content.v1.CallEvent;
import org.securecomm.protocol.content.v1.CallRecord;
import org.securecomm.protocol.content.v1.CallSignalBody;

/**
 * Calls of one device: placing, ringing, answering, declining, joining and rejoining, hanging up,
 * the call history, and the one call this device is in ({@link ActiveCall}). Call pushes arrive on
 * the client's worker thread; public methods run their work there too, so call state is only ever
 * touched by that thread. The history of the account's other devices is kept in step with a
 * CallEvent sync message when a call this device took part in is over.
 */
public final class CallManager {

    private static final System.Logger LOG = System.getLogger(CallManager.class.getName());
    /** How long an automatic rejoin keeps trying after the connection dropped (the relay keeps the seat 60 s by default). */
    static final Duration AUTO_REJOIN_WINDOW = Duration.ofSeconds(50);

    /** What the manager needs from the client around it. */
    public interface Client {
        /** Runs {@code work} on the worker thread and waits for it. */
        <T> T onWorker(Callable<T> work);

        /** Sends a CallEvent to this account's other devices; failures are logged. */
        void syncToOwnDevices(CallEvent event);
    }

    /** A ringing call this device may answer or decline. */
    public record Incoming(String callId, String caller, int callerDevice, boolean video, long since) {
    }

    private final Relay relay;
    private final Relay.Async signals;
    private final CallSignalCipher cipher;
    private final CallHistoryStore history;
    private final Clock clock;
    private final CallParticipant self;
    private final ScheduledExecutorService worker;
    private final Client client;
    private final Function<MediaRoute, MediaTransport> forwarders;
    private final DirectPath.Factory directPaths;
    private final List<Consumer<CallUpdate>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Incoming> ringing = new LinkedHashMap<>();
    private ActiveCall active;
    private CallRecord activeRecord;
    private long connectedAt;
    private CallRecord.Outcome unanswered;
    private int rejoinAttempt;
    private boolean rejoining;

    public CallManager(Relay relay, Relay.Async signals, ProtocolStore protocol, MessageSender sender, CallHistoryStore history, Clock clock, String selfAddress, int selfDevice,
                       ScheduledExecutorService worker, Client client, Function<MediaRoute, MediaTransport> forwarders,
                       DirectPath.Factory directPaths) {
        this.relay = relay;
        this.signals = signals;
        this.cipher = new CallSignalCipher(protocol, sender);
        this.history = history;
        this.clock = clock;
        this.self = CallParticipant.newBuilder().setAddress(selfAddress).setDeviceId(selfDevice).build();
        this.worker = worker;
        this.client = client;
        this.forwarders = forwarders;
        this.directPaths = directPaths;
    }

    public void onUpdate(Consumer<CallUpdate> listener) {
        listeners.add(listener);
    }

    // ------------------------------------------------------------ the user's actions

    /** Rings every device of every callee; this device is in the call at once. Answers the call id. */
    public String place(List<String> callees, CallOptions options) {
        return client.onWorker(() -> {
            requireIdle();
            var started = relay.call(ClientMessage.newBuilder().setStartCall(StartCall.newBuilder().addAllCallees(callees)
                    .setVideo(options.video()))).getCallStarted();
            activeRecord = CallRecord.newBuilder().setDirection(CallRecord.Direction.OUTGOING).setStartedAtMillis(clock.millis())
                    .addAllParticipants(callees).setVideo(options.video()).build();
            enter(started.getCallId(), options, started.getMedia(), List.of(self));
            return started.getCallId();
        });
    }

    /** Picks up a ringing call. */
    public void answer(String callId, CallOptions options) {
        client.onWorker(() -> {
            requireIdle();
            enterJoined(callId, options, relay.call(ClientMessage.newBuilder().setAnswerCall(AnswerCall.newBuilder().setCallId(callId))));
            return null;
        });
    }

    public void decline(String callId) {
        client.onWorker(() -> {
            relay.call(ClientMessage.newBuilder().setDeclineCall(DeclineCall.newBuilder().setCallId(callId)));
            Incoming incoming = ringing.remove(callId);
            if (incoming != null) {
                record(callId, incomingRecord(incoming, CallRecord.Outcome.DECLINED));
            }
            return null;
        });
    }

    /** Joins (or rejoins, after a drop or a restart of this client) a call that is still going on. */
    public void join(String callId, CallOptions options) {
        client.onWorker(() -> {
            if (active != null && active.callId().equals(callId)) {
                rejoin();
                return null;
            }
            requireIdle();
            enterJoined(callId, options, relay.call(ClientMessage.newBuilder().setJoinCall(JoinCall.newBuilder().setCallId(callId))));
            return null;
        });
    }

    /** Rings more accounts into the current call. */
    public void invite(List<String> addresses) {
        client.onWorker(() -> {
            ActiveCall call = requireActive();
            relay.call(ClientMessage.newBuilder().setInviteToCall(InviteToCall.newBuilder().setCallId(call.callId()).addAllAddresses(addresses)));
            return null;
        });
    }

    /**
     * Hangs up: a caller nobody answered yet cancels the ringing; in a call with one other device the
     * call ends for both (as a 1:1 call does); in a group call this device leaves.
     */
    public void hangUp() {
        client.onWorker(() -> {
            if (active == null) {
                return null;
            }
            String callId = active.callId();
            boolean stillRinging = connectedAt == 0 && activeRecord.getDirection() == CallRecord.Direction.OUTGOING;
            try {
                if (stillRinging) {
                    relay.call(ClientMessage.newBuilder().setCancelCall(CancelCall.newBuilder().setCallId(callId)));
                } else if (active.others().size() <= 1) {
                    relay.call(ClientMessage.newBuilder().setEndCall(EndCall.newBuilder().setCallId(callId)));
                } else {
                    relay.call(ClientMessage.newBuilder().setLeaveCall(LeaveCall.newBuilder().setCallId(callId)));
                }
            } catch (RelayException e) {
                LOG.log(System.Logger.Level.DEBUG, "hanging up " + callId + ": " + e.getMessage());
            }
            finish(stillRinging ? CallEndReason.CALL_CANCELLED : CallEndReason.CALL_HUNG_UP);
            return null;
        });
    }

    public List<Incoming> ringing() {
        return client.onWorker(() -> List.copyOf(ringing.values()));
    }

    /** The call this device is in. */
    public Optional<String> activeCallId() {
        return client.onWorker(() -> Optional.ofNullable(active).map(ActiveCall::callId));
    }

    /** Other devices in the current call, "address.device". */
    public List<String> participants() {
        return client.onWorker(() -> active == null ? List.<String>of() : active.others().stream().map(ActiveCall::label).toList());
    }

    public Optional<CallStats> mediaStats() {
        return client.onWorker(() -> Optional.ofNullable(active).map(call -> call.media().stats()));
    }

    /** Where this device's media goes now, or empty when it holds (nobody else in the call yet). */
    public Optional<String> mediaPath() {
        return client.onWorker(() -> Optional.ofNullable(active).map(call -> call.media().path()).map(MediaTransport::describe));
    }

    /** Forgets every key received in the current call: receivers must resync (tests, and a state-loss drill). */
    public void dropReceivedKeys() {
        client.onWorker(() -> {
            requireActive().media().dropRemoteKeys();
            return null;
        });
    }

    /** This device's current SFrame sender key: only for tests that prove keys never reach a relay. */
    Optional<org.securecomm.client.call.media.SenderKey> currentMediaKey() {
        return client.onWorker(() -> Optional.ofNullable(active).map(call -> call.media().currentKey()));
    }

    public List<CallHistoryStore.Entry> history(int limit) {
        return client.onWorker(() -> history.list(limit));
    }

    /**
     * The client is closing: media stops without telling the relay, which keeps this device's seat
     * for its rejoin window (a restarted client gets back in with {@link #join}).
     */
    public void shutdown() {
        try {
            client.onWorker(() -> {
                if (active != null) {
                    ActiveCall call = active;
                    active = null;
                    call.close();
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing calls: " + e);
        }
    }

    // ------------------------------------------------------------ pushes (worker thread)

    /** True if {@code push} was a call push (and was handled). */
    public boolean onPush(Push push) {
        switch (push.getKindCase()) {
            case INCOMING_CALL -> onIncoming(push.getIncomingCall());
            case CALL_RINGING_STOPPED -> onRingingStopped(push.getCallRingingStopped().getCallId(), push.getCallRingingStopped().getReason());
            case CALL_DECLINED -> onUnanswered(push.getCallDeclined().getCallId(), push.getCallDeclined().getAddress(), CallRecord.Outcome.DECLINED);
            case CALL_BUSY -> onUnanswered(push.getCallBusy().getCallId(), push.getCallBusy().getAddress(), CallRecord.Outcome.BUSY);
            case CALL_MISSED -> onUnanswered(push.getCallMissed().getCallId(), push.getCallMissed().getAddress(), CallRecord.Outcome.MISSED);
            case CALL_PARTICIPANTS -> onParticipants(push.getCallParticipants().getCallId(), push.getCallParticipants().getParticipantsList());
            case CALL_ENDED -> onEnded(push.getCallEnded().getCallId(), push.getCallEnded().getReason());
            case CALL_SIGNAL -> onSignal(push.getCallSignal());
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A CallEvent from another device of this account: its view of a call replaces this device's. */
    public void onSync(CallEvent event) {
        if (active != null && active.callId().equals(event.getCallId())) {
            return; // this device is in it: its own record is more precise
        }
        history.put(event.getCallId(), event.getRecord(), clock.millis());
    }

    /** The connection to the relay dropped: a call in progress tries to get back in while the relay keeps its seat. */
    public void onConnectionLost() {
        if (active == null || rejoining) {
            return;
        }
        rejoining = true;
        rejoinAttempt = 0;
        scheduleRejoin(active.callId(), System.nanoTime() + AUTO_REJOIN_WINDOW.toNanos());
    }

    private void scheduleRejoin(String callId, long deadline) {
        worker.schedule(() -> {
            if (active == null || !active.callId().equals(callId)) {
                rejoining = false;
                return;
            }
            update(new CallUpdate.Reconnecting(callId, ++rejoinAttempt));
            try {
                rejoin();
                rejoining = false;
            } catch (RelayException e) {
                if (e.code() == ErrorCode.UNKNOWN_CALL || e.code() == ErrorCode.NOT_IN_CALL) {
                    rejoining = false;
                    finish(CallEndReason.CALL_ALL_LEFT);
                } else {
                    retryOrGiveUp(callId, deadline, e);
                }
            } catch (RuntimeException e) {
                retryOrGiveUp(callId, deadline, e);
            }
        }, 1, TimeUnit.SECONDS);
    }

    private void retryOrGiveUp(String callId, long deadline, RuntimeException failure) {
        if (System.nanoTime() < deadline) {
            scheduleRejoin(callId, deadline);
            return;
        }
        rejoining = false;
        LOG.log(System.Logger.Level.WARNING, "could not get back into call " + callId + ": " + failure.getMessage());
        finish(CallEndReason.CALL_ALL_LEFT);
    }

    /** JoinCall for the call this device is in: a fresh forwarder token, keys again to everyone. */
    private void rejoin() {
        CallJoined joined = relay.call(ClientMessage.newBuilder().setJoinCall(JoinCall.newBuilder().setCallId(active.callId()))).getCallJoined();
        active.joined(joined.getMedia(), joined.getParticipantsList());
        update(new CallUpdate.Joined(active.callId(), active.others().stream().map(ActiveCall::label).toList()));
    }

    private void onIncoming(IncomingCall call) {
        Incoming incoming = new Incoming(call.getCallId(), call.getCallerAddress(), call.getCallerDevice(), call.getVideo(), clock.millis());
        if (active != null && !active.callId().equals(call.getCallId())) {
            // The relay already answers "busy" for a device in a call; remember that it was tried.
            record(call.getCallId(), incomingRecord(incoming, CallRecord.Outcome.BUSY));
            return;
        }
        ringing.put(call.getCallId(), incoming);
        record(call.getCallId(), incomingRecord(incoming, CallRecord.Outcome.OUTCOME_UNSPECIFIED));
        update(new CallUpdate.Ringing(call.getCallId(), call.getCallerAddress(), call.getCallerDevice(), call.getVideo()));
    }

    private void onRingingStopped(String callId, RingStopReason reason) {
        Incoming incoming = ringing.remove(callId);
        if (incoming == null) {
            return;
        }
        CallRecord.Outcome outcome = switch (reason) {
            case RING_ANSWERED_ELSEWHERE -> CallRecord.Outcome.ANSWERED_ELSEWHERE;
            case RING_DECLINED_ELSEWHERE -> CallRecord.Outcome.DECLINED;
            case RING_BUSY -> CallRecord.Outcome.BUSY;
            default -> CallRecord.Outcome.MISSED; // missed, cancelled by the caller, or ended before anyone here picked up
        };
        record(callId, incomingRecord(incoming, outcome));
        update(new CallUpdate.RingStopped(callId, outcome));
    }

    private void onUnanswered(String callId, String address, CallRecord.Outcome outcome) {
        if (active != null && active.callId().equals(callId)) {
            unanswered = outcome;
            update(new CallUpdate.Unanswered(callId, address, outcome));
        }
    }

    private void onParticipants(String callId, List<CallParticipant> participants) {
        if (active == null || !active.callId().equals(callId)) {
            return;
        }
        active.participantsChanged(participants);
        if (connectedAt == 0 && !active.others().isEmpty()) {
            connectedAt = clock.millis();
            activeRecord = activeRecord.toBuilder().setOutcome(CallRecord.Outcome.ANSWERED).build();
        }
        update(new CallUpdate.Participants(callId, active.others().stream().map(ActiveCall::label).toList()));
    }

    private void onEnded(String callId, CallEndReason reason) {
        if (active != null && active.callId().equals(callId)) {
            finish(reason);
        }
    }

    private void onSignal(CallSignal signal) {
        if (active == null || !active.callId().equals(signal.getCallId())) {
            return;
        }
        CallParticipant from = CallParticipant.newBuilder().setAddress(signal.getFromAddress()).setDeviceId(signal.getFromDevice()).build();
        try {
            CallSignalBody body = cipher.open(signal.getFromAddress(), signal.getFromDevice(), signal.getPayload().toByteArray());
            if (!body.getCallId().equals(signal.getCallId())) {
                LOG.log(System.Logger.Level.WARNING, "dropping a call signal bound to another call from " + ActiveCall.label(from));
                return;
            }
            active.onSignal(from, signal.getKind(), body);
        } catch (CallSignalCipher.CallSignalException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    // ------------------------------------------------------------ internals

    private void enter(String callId, CallOptions options, MediaRoute route, List<CallParticipant> participants) {
        connectedAt = 0;
        unanswered = null;
        active = new ActiveCall(callId, self, options, new Environment(), worker);
        active.joined(route, participants);
        if (!active.others().isEmpty()) {
            connectedAt = clock.millis();
        }
        record(callId, activeRecord);
        update(new CallUpdate.Joined(callId, active.others().stream().map(ActiveCall::label).toList()));
    }

    /** AnswerCall or JoinCall succeeded: this device is in the call. */
    private void enterJoined(String callId, CallOptions options, org.securecomm.protocol.client.v1.Response response) {
        CallJoined joined = response.getCallJoined();
        Incoming incoming = ringing.remove(callId);
        activeRecord = recordOf(callId, incoming, joined).toBuilder().setOutcome(CallRecord.Outcome.ANSWERED).build();
        enter(callId, options, joined.getMedia(), joined.getParticipantsList());
    }

    private void finish(CallEndReason reason) {
        ActiveCall call = active;
        active = null;
        call.close();
        CallRecord.Builder record = activeRecord.toBuilder();
        if (connectedAt != 0) {
            record.setOutcome(CallRecord.Outcome.ANSWERED).setDurationMillis(clock.millis() - connectedAt);
        } else if (record.getDirection() == CallRecord.Direction.OUTGOING) {
            record.setOutcome(reason == CallEndReason.CALL_CANCELLED ? CallRecord.Outcome.CANCELLED
                    : unanswered != null ? unanswered : CallRecord.Outcome.MISSED);
        }
        CallRecord done = record.build();
        record(call.callId(), done);
        client.syncToOwnDevices(CallEvent.newBuilder().setCallId(call.callId()).setRecord(done).build());
        update(new CallUpdate.Ended(call.callId(), reason, done));
    }

    private CallRecord recordOf(String callId, Incoming incoming, CallJoined joined) {
        if (incoming != null) {
            return incomingRecord(incoming, CallRecord.Outcome.OUTCOME_UNSPECIFIED);
        }
        // A rejoin: keep what this device knew of the call; else it is an incoming call joined late.
        return history.find(callId).map(CallHistoryStore.Entry::record).orElseGet(() -> {
            List<String> others = new ArrayList<>();
            joined.getParticipantsList().stream().map(CallParticipant::getAddress)
                    .filter(a -> !a.equals(self.getAddress()) && !others.contains(a)).forEach(others::add);
            return CallRecord.newBuilder().setDirection(CallRecord.Direction.INCOMING).setStartedAtMillis(clock.millis())
                    .addAllParticipants(others).setVideo(joined.getVideo()).build();
        });
    }

    private static CallRecord incomingRecord(Incoming incoming, CallRecord.Outcome outcome) {
        return CallRecord.newBuilder().setDirection(CallRecord.Direction.INCOMING).setOutcome(outcome).setStartedAtMillis(incoming.since())
                .addParticipants(incoming.caller()).setVideo(incoming.video()).build();
    }

    private void record(String callId, CallRecord record) {
        history.put(callId, record, clock.millis());
    }

    private void requireIdle() {
        if (active != null) {
            throw new IllegalStateException("already in call " + active.callId() + ": hang up first");
        }
    }

    private ActiveCall requireActive() {
        if (active == null) {
            throw new IllegalStateException("not in a call");
        }
        return active;
    }

    private void update(CallUpdate update) {
        for (Consumer<CallUpdate> listener : listeners) {
            try {
                listener.accept(update);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a call listener failed: " + e);
            }
        }
    }

    /** The services an {@link ActiveCall} uses. */
    private final class Environment implements ActiveCall.Environment {
        @Override
        public void signal(String callId, CallParticipant to, CallSignalKind kind, CallSignalBody.Builder body) {
            try {
                byte[] payload = cipher.seal(to.getAddress(), to.getDeviceId(), body.setCallId(callId).build());
                // Sealed here (sessions live on the worker), sent without waiting for the answer:
                // a slow or dead connection must not hold up the call's other work.
                signals.send(ClientMessage.newBuilder().setSendCallSignal(SendCallSignal.newBuilder().setCallId(callId)
                        .setToAddress(to.getAddress()).setToDevice(to.getDeviceId()).setKind(kind)
                        .setPayload(com.google.protobuf.ByteString.copyFrom(payload))))
                        .whenComplete((sent, failure) -> {
                            if (failure != null) {
                                failed(callId, kind, to, failure);
                            }
                        });
            } catch (RuntimeException e) {
                failed(callId, kind, to, e);
            }
        }

        private void failed(String callId, CallSignalKind kind, CallParticipant to, Throwable failure) {
            LOG.log(System.Logger.Level.INFO, "call " + callId + ": " + kind + " to " + ActiveCall.label(to) + " failed: " + failure.getMessage());
        }

        @Override
        public MediaTransport openForwarder(MediaRoute route) {
            return forwarders.apply(route);
        }

        @Override
        public DirectPath.Factory directPaths() {
            return directPaths;
        }

        @Override
        public void update(CallUpdate update) {
            CallManager.this.update(update);
        }
    }
}
