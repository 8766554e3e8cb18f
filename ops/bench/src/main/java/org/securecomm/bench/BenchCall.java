package org.securecomm.bench;

import com.google.protobuf.UnsafeByteOperations;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.securecomm.protocol.client.v1.AnswerCall;
import org.securecomm.protocol.client.v1.CallParticipant;
import org.securecomm.protocol.client.v1.CallSignalKind;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.EndCall;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.SendCallSignal;
import org.securecomm.protocol.client.v1.StartCall;

/**
 * One call of the call workload, with the client protocol's real signalling (docs/protocol.md,
 * "Calls"): the caller's StartCall rings the others, each callee answers on its IncomingCall,
 * every participant sends its SFrame KEY signal to every other one (and, in a 1:1 call, the callee
 * OFFERs and the caller ANSWERs, as the SDK does), and each streams media through the forwarder.
 * The call is set up when every participant has a key from, and media from, every other one; it
 * lasts the call length, then the caller's EndCall must reach every participant as CallEnded.
 *
 * <p>Signal payloads are random bytes of the size of the SDK's sealed bodies: the relay never reads
 * them, and sealing them with libsignal is the messaging workload's job, not this one's.
 */
final class BenchCall implements CallMedia.Events {

    // Sizes of the SDK's sealed signal bodies (libsignal Whisper message around the content).
    private static final int KEY_PAYLOAD = 150;
    private static final int ICE_PAYLOAD = 400;
    private static final long DRAIN_MILLIS = 200;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One bench device of a group: its account, connection and media socket. */
    record Member(int index, Device device, BenchConnection connection, CallMedia.Endpoint endpoint) {
    }

    /** What the workload learns about a call; called from network threads, must not block. */
    interface Listener {
        void rang(long micros);

        void setUp(BenchCall call, long micros);

        void failed(BenchCall call, Throwable failure);

        void media(long expected, long received);

        void signalled();

        /** The call is over; {@code tornDown}: every participant heard CallEnded. */
        void finished(BenchCall call, boolean tornDown);
    }

    /** A call that went wrong without a relay error: counted by its kind (SETUP_TIMEOUT, CALL_BUSY, ...). */
    static final class CallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String kind;

        CallFailure(String kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        String kind() {
            return kind;
        }
    }

    private final List<Member> members;
    private final Map<String, Integer> byAddress = new HashMap<>();
    private final CallMedia media;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final long callLengthMillis;
    private final long setupTimeoutMillis;
    private final CallMedia.Stream[] streams;
    private final List<Set<Integer>> keysFrom = new ArrayList<>();
    private final List<Set<Integer>> mediaFrom = new ArrayList<>();
    private final List<Set<Integer>> keysSentTo = new ArrayList<>();
    private final boolean[] flowing;
    private final boolean[] ended;
    private int flowingCount;
    private int endedCount;
    private volatile String callId;
    private long startNanos;
    private boolean setUp;
    private boolean failed;
    private boolean ending;
    private boolean finished;
    private ScheduledFuture<?> timer;

    BenchCall(List<Member> members, CallMedia media, ScheduledExecutorService scheduler, Listener listener, long callLengthMillis,
              long setupTimeoutMillis) {
        this.members = members;
        this.media = media;
        this.scheduler = scheduler;
        this.listener = listener;
        this.callLengthMillis = callLengthMillis;
        this.setupTimeoutMillis = setupTimeoutMillis;
        this.streams = new CallMedia.Stream[members.size()];
        this.flowing = new boolean[members.size()];
        this.ended = new boolean[members.size()];
        for (Member m : members) {
            byAddress.put(m.device().address(), m.index());
            keysFrom.add(new HashSet<>());
            mediaFrom.add(new HashSet<>());
            keysSentTo.add(new HashSet<>());
        }
    }

    /** The caller (member 0) rings the others. */
    synchronized void start() {
        startNanos = System.nanoTime();
        timer = scheduler.schedule(this::setupTimedOut, setupTimeoutMillis, TimeUnit.MILLISECONDS);
        StartCall.Builder start = StartCall.newBuilder();
        members.stream().skip(1).forEach(m -> start.addCallees(m.device().address()));
        Member caller = members.get(0);
        caller.connection().call(ClientMessage.newBuilder().setStartCall(start)).whenComplete((response, failure) -> {
            if (failure != null) {
                fail(failure);
            } else {
                joined(caller, response.getCallStarted().getCallId(), response.getCallStarted().getMedia(),
                        List.of(CallParticipant.newBuilder().setAddress(caller.device().address()).setDeviceId(caller.device().deviceId()).build()));
            }
        });
    }

    /** A push to one of the members (the group's devices only ever are in this call). */
    void onPush(Member member, Push push, long receivedNanos) {
        switch (push.getKindCase()) {
            case INCOMING_CALL -> answer(member, push.getIncomingCall().getCallId(), receivedNanos);
            case CALL_PARTICIPANTS -> sendKeys(member, push.getCallParticipants().getParticipantsList());
            case CALL_SIGNAL -> signalled(member, push.getCallSignal().getFromAddress(), push.getCallSignal().getKind());
            case CALL_ENDED -> endedFor(member);
            case CALL_DECLINED, CALL_BUSY, CALL_MISSED -> fail(new CallFailure(push.getKindCase().name(), "a callee's ring ended without an answer"));
            default -> {
                // ringing stopped elsewhere, envelopes: nothing to do
            }
        }
    }

    private void answer(Member callee, String id, long rangNanos) {
        synchronized (this) {
            if (ending) {
                return;
            }
            callId = id;
            listener.rang((rangNanos - startNanos) / 1000);
        }
        callee.connection().call(ClientMessage.newBuilder().setAnswerCall(AnswerCall.newBuilder().setCallId(id))).whenComplete((response, failure) -> {
            if (failure != null) {
                fail(failure);
            } else {
                joined(callee, id, response.getCallJoined().getMedia(), response.getCallJoined().getParticipantsList());
                if (members.size() == 2) {
                    signal(callee, members.get(0), CallSignalKind.OFFER, ICE_PAYLOAD);
                }
            }
        });
    }

    private void joined(Member member, String id, MediaRoute route, List<CallParticipant> participants) {
        synchronized (this) {
            callId = id;
            if (ending) {
                return;
            }
            streams[member.index()] = media.join(member.endpoint(), route, this);
        }
        sendKeys(member, participants);
    }

    /** A KEY to every participant this member has not sent one to yet, as the SDK does on every membership change. */
    private void sendKeys(Member member, List<CallParticipant> participants) {
        List<Member> to = new ArrayList<>();
        synchronized (this) {
            for (CallParticipant p : participants) {
                Integer index = byAddress.get(p.getAddress());
                if (index != null && index != member.index() && keysSentTo.get(member.index()).add(index)) {
                    to.add(members.get(index));
                }
            }
        }
        to.forEach(m -> signal(member, m, CallSignalKind.KEY, KEY_PAYLOAD));
    }

    private void signal(Member from, Member to, CallSignalKind kind, int bytes) {
        byte[] payload = new byte[bytes];
        RANDOM.nextBytes(payload);
        from.connection().call(ClientMessage.newBuilder().setSendCallSignal(SendCallSignal.newBuilder().setCallId(callId)
                        .setToAddress(to.device().address()).setToDevice(to.device().deviceId()).setKind(kind)
                        .setPayload(UnsafeByteOperations.unsafeWrap(payload))))
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        fail(failure);
                    } else {
                        listener.signalled();
                    }
                });
    }

    private void signalled(Member member, String fromAddress, CallSignalKind kind) {
        Integer from = byAddress.get(fromAddress);
        if (from == null) {
            return;
        }
        if (kind == CallSignalKind.OFFER) {
            signal(member, members.get(from), CallSignalKind.ANSWER, ICE_PAYLOAD);
        } else if (kind == CallSignalKind.KEY) {
            synchronized (this) {
                keysFrom.get(member.index()).add(from);
                checkFlowing(member.index());
            }
        }
    }

    @Override
    public void latched(CallMedia.Stream stream) {
        // Media starts by itself once latched; set-up completes on the first packets received.
    }

    @Override
    public synchronized void firstMediaFrom(CallMedia.Stream stream, int sourceId) {
        for (int i = 0; i < streams.length; i++) {
            if (streams[i] == stream) {
                mediaFrom.get(i).add(sourceId);
                checkFlowing(i);
            }
        }
    }

    private void checkFlowing(int index) {
        int others = members.size() - 1;
        if (flowing[index] || keysFrom.get(index).size() < others || mediaFrom.get(index).size() < others) {
            return;
        }
        flowing[index] = true;
        if (++flowingCount == members.size() && !failed && !ending) {
            setUp = true;
            timer.cancel(false);
            listener.setUp(this, (System.nanoTime() - startNanos) / 1000);
            timer = scheduler.schedule(this::hangUp, callLengthMillis, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void setupTimedOut() {
        if (!setUp) {
            fail(new CallFailure("SETUP_TIMEOUT", "not set up within " + setupTimeoutMillis + " ms (keys and media from every participant)"));
        }
    }

    private void fail(Throwable failure) {
        synchronized (this) {
            if (failed || ending) {
                return;
            }
            failed = true;
        }
        listener.failed(this, failure);
        hangUp();
    }

    /** Stops the media, lets what is in flight arrive, counts it, then the caller ends the call. */
    synchronized void hangUp() {
        if (ending) {
            return;
        }
        ending = true;
        if (timer != null) {
            timer.cancel(false);
        }
        for (CallMedia.Stream s : streams) {
            if (s != null) {
                media.stop(s);
            }
        }
        scheduler.schedule(this::endCall, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void endCall() {
        String id;
        synchronized (this) {
            if (setUp) {
                countMedia();
            }
            id = callId;
            if (id == null) { // StartCall failed: there is no call to end
                finish(false);
                return;
            }
            timer = scheduler.schedule(() -> finish(false), setupTimeoutMillis, TimeUnit.MILLISECONDS);
        }
        members.get(0).connection().call(ClientMessage.newBuilder().setEndCall(EndCall.newBuilder().setCallId(id))).whenComplete((ok, failure) -> {
            if (failure != null && !(ErrorCounter.unwrap(failure) instanceof RelayError relay && relay.code() == ErrorCode.UNKNOWN_CALL)) {
                listener.failed(this, failure);
            }
            synchronized (this) {
                if (failed && !finished) {
                    // A failed call: its participants may never have joined, so no CallEnded to wait for.
                    timer.cancel(false);
                    timer = scheduler.schedule(() -> finish(false), DRAIN_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private void countMedia() {
        long expected = 0;
        long received = 0;
        for (int r = 0; r < streams.length; r++) {
            for (int s = 0; s < streams.length; s++) {
                if (r != s) {
                    long[] counts = streams[r].expectedAndReceived(streams[s].sourceId(), streams[s].sent());
                    expected += counts[0];
                    received += counts[1];
                }
            }
        }
        listener.media(expected, received);
    }

    private synchronized void endedFor(Member member) {
        if (!ending) {
            fail(new CallFailure("ENDED_EARLY", "CallEnded before the hang-up"));
        }
        if (!ended[member.index()]) {
            ended[member.index()] = true;
            if (++endedCount == members.size() && ending) {
                finish(true);
            }
        }
    }

    private synchronized void finish(boolean tornDown) {
        if (finished) {
            return;
        }
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
        listener.finished(this, tornDown);
    }

    /** Whether the call completed its set-up (for the workload's figures). */
    synchronized boolean wasSetUp() {
        return setUp;
    }
}
