package org.securecomm.relay.call;

import com.google.protobuf.ByteString;
import java.util.List;
import org.securecomm.protocol.client.v1.CallBusy;
import org.securecomm.protocol.client.v1.CallDeclined;
import org.securecomm.protocol.client.v1.CallEndReason;
import org.securecomm.protocol.client.v1.CallEnded;
import org.securecomm.protocol.client.v1.CallMissed;
import org.securecomm.protocol.client.v1.CallParticipant;
import org.securecomm.protocol.client.v1.CallParticipants;
import org.securecomm.protocol.client.v1.CallRingingStopped;
import org.securecomm.protocol.client.v1.CallSignal;
import org.securecomm.protocol.client.v1.IncomingCall;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.RingStopReason;
import org.securecomm.relay.session.DeviceMessage;

/**
 * The pushes of a CallRoom in the client protocol's framing, both ways: to a local device's
 * connection, and across clusters (a room's pushes for devices of another cluster travel as client
 * Pushes and become DeviceMessages again at their home relay).
 */
public final class CallPushes {

    private CallPushes() {
    }

    /** The call pushes a connection frames as they are (IncomingCall and probes need its state). */
    public static boolean isCallPush(DeviceMessage message) {
        return message instanceof DeviceMessage.CallRingingStopped || message instanceof DeviceMessage.CallUnanswered
                || message instanceof DeviceMessage.CallParticipants || message instanceof DeviceMessage.CallEnded
                || message instanceof DeviceMessage.CallSignal;
    }

    public static Push.Builder push(DeviceMessage message) {
        Push.Builder push = Push.newBuilder();
        if (message instanceof DeviceMessage.IncomingCall incoming) {
            push.setIncomingCall(IncomingCall.newBuilder().setCallId(incoming.callId()).setCallerAddress(incoming.callerAddress())
                    .setCallerDevice(incoming.callerDevice()).setVideo(incoming.video()));
        } else if (message instanceof DeviceMessage.CallRingingStopped stopped) {
            push.setCallRingingStopped(CallRingingStopped.newBuilder().setCallId(stopped.callId()).setReason(reason(stopped.reason())));
        } else if (message instanceof DeviceMessage.CallUnanswered unanswered) {
            switch (unanswered.why()) {
                case DECLINED -> push.setCallDeclined(CallDeclined.newBuilder().setCallId(unanswered.callId()).setAddress(unanswered.address()));
                case BUSY -> push.setCallBusy(CallBusy.newBuilder().setCallId(unanswered.callId()).setAddress(unanswered.address()));
                case MISSED -> push.setCallMissed(CallMissed.newBuilder().setCallId(unanswered.callId()).setAddress(unanswered.address()));
            }
        } else if (message instanceof DeviceMessage.CallParticipants participants) {
            push.setCallParticipants(CallParticipants.newBuilder().setCallId(participants.callId())
                    .addAllParticipants(participants(participants.participants())));
        } else if (message instanceof DeviceMessage.CallEnded ended) {
            push.setCallEnded(CallEnded.newBuilder().setCallId(ended.callId()).setReason(reason(ended.reason())));
        } else if (message instanceof DeviceMessage.CallSignal signal) {
            push.setCallSignal(CallSignal.newBuilder().setCallId(signal.callId()).setFromAddress(signal.fromAddress())
                    .setFromDevice(signal.fromDevice()).setKindValue(signal.kind()).setPayload(ByteString.copyFrom(signal.payload())));
        } else {
            throw new IllegalArgumentException("not a call push: " + message.getClass().getSimpleName());
        }
        return push;
    }

    /** A call push that came from another cluster, for a local device's connection. */
    public static DeviceMessage message(Push push) {
        switch (push.getKindCase()) {
            case INCOMING_CALL: {
                IncomingCall incoming = push.getIncomingCall();
                return new DeviceMessage.IncomingCall(incoming.getCallId(), incoming.getCallerAddress(), incoming.getCallerDevice(),
                        incoming.getVideo());
            }
            case CALL_RINGING_STOPPED:
                return new DeviceMessage.CallRingingStopped(push.getCallRingingStopped().getCallId(),
                        stop(push.getCallRingingStopped().getReason()));
            case CALL_DECLINED:
                return new DeviceMessage.CallUnanswered(push.getCallDeclined().getCallId(), push.getCallDeclined().getAddress(),
                        CallRoom.Unanswered.DECLINED);
            case CALL_BUSY:
                return new DeviceMessage.CallUnanswered(push.getCallBusy().getCallId(), push.getCallBusy().getAddress(),
                        CallRoom.Unanswered.BUSY);
            case CALL_MISSED:
                return new DeviceMessage.CallUnanswered(push.getCallMissed().getCallId(), push.getCallMissed().getAddress(),
                        CallRoom.Unanswered.MISSED);
            case CALL_PARTICIPANTS:
                return new DeviceMessage.CallParticipants(push.getCallParticipants().getCallId(),
                        push.getCallParticipants().getParticipantsList().stream()
                                .map(p -> new CallRoom.Participant(p.getAddress(), p.getAddress(), p.getDeviceId())).toList());
            case CALL_ENDED:
                return new DeviceMessage.CallEnded(push.getCallEnded().getCallId(), end(push.getCallEnded().getReason()));
            case CALL_SIGNAL: {
                CallSignal signal = push.getCallSignal();
                return new DeviceMessage.CallSignal(signal.getCallId(), signal.getFromAddress(), signal.getFromDevice(),
                        signal.getKindValue(), signal.getPayload().toByteArray());
            }
            default:
                throw new IllegalArgumentException("not a call push: " + push.getKindCase());
        }
    }

    public static List<CallParticipant> participants(List<CallRoom.Participant> participants) {
        return participants.stream()
                .map(p -> CallParticipant.newBuilder().setAddress(p.address()).setDeviceId(p.deviceId()).build())
                .toList();
    }

    private static RingStopReason reason(CallRoom.RingStop stop) {
        return switch (stop) {
            case ANSWERED_ELSEWHERE -> RingStopReason.RING_ANSWERED_ELSEWHERE;
            case DECLINED_ELSEWHERE -> RingStopReason.RING_DECLINED_ELSEWHERE;
            case BUSY -> RingStopReason.RING_BUSY;
            case CANCELLED -> RingStopReason.RING_CANCELLED;
            case MISSED -> RingStopReason.RING_MISSED;
            case CALL_ENDED -> RingStopReason.RING_CALL_ENDED;
        };
    }

    private static CallRoom.RingStop stop(RingStopReason reason) {
        return switch (reason) {
            case RING_ANSWERED_ELSEWHERE -> CallRoom.RingStop.ANSWERED_ELSEWHERE;
            case RING_DECLINED_ELSEWHERE -> CallRoom.RingStop.DECLINED_ELSEWHERE;
            case RING_BUSY -> CallRoom.RingStop.BUSY;
            case RING_CANCELLED -> CallRoom.RingStop.CANCELLED;
            case RING_MISSED -> CallRoom.RingStop.MISSED;
            default -> CallRoom.RingStop.CALL_ENDED;
        };
    }

    private static CallEndReason reason(CallRoom.EndReason reason) {
        return switch (reason) {
            case HUNG_UP -> CallEndReason.CALL_HUNG_UP;
            case ALL_LEFT -> CallEndReason.CALL_ALL_LEFT;
            case CANCELLED -> CallEndReason.CALL_CANCELLED;
            case NOT_ANSWERED -> CallEndReason.CALL_NOT_ANSWERED;
        };
    }

    private static CallRoom.EndReason end(CallEndReason reason) {
        return switch (reason) {
            case CALL_ALL_LEFT -> CallRoom.EndReason.ALL_LEFT;
            case CALL_CANCELLED -> CallRoom.EndReason.CANCELLED;
            case CALL_NOT_ANSWERED -> CallRoom.EndReason.NOT_ANSWERED;
            default -> CallRoom.EndReason.HUNG_UP;
        };
    }
}
