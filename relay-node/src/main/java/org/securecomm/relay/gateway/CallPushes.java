package org.securecomm.relay.gateway;

import com.google.protobuf.ByteString;
import org.securecomm.protocol.client.v1.CallBusy;
import org.securecomm.protocol.client.v1.CallDeclined;
import org.securecomm.protocol.client.v1.CallEndReason;
import org.securecomm.protocol.client.v1.CallEnded;
import org.securecomm.protocol.client.v1.CallMissed;
import org.securecomm.protocol.client.v1.CallParticipants;
import org.securecomm.protocol.client.v1.CallRingingStopped;
import org.securecomm.protocol.client.v1.CallSignal;
import org.securecomm.protocol.client.v1.IncomingCall;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.RingStopReason;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.session.DeviceMessage;

/** Frames the pushes of a CallRoom for the client protocol. */
final class CallPushes {

    private CallPushes() {
    }

    static boolean isCallPush(DeviceMessage message) {
        return message instanceof DeviceMessage.CallRingingStopped || message instanceof DeviceMessage.CallUnanswered
                || message instanceof DeviceMessage.CallParticipants || message instanceof DeviceMessage.CallEnded
                || message instanceof DeviceMessage.CallSignal;
    }

    static IncomingCall.Builder incomingCall(DeviceMessage.IncomingCall incoming) {
        return IncomingCall.newBuilder().setCallId(incoming.callId()).setCallerAddress(incoming.callerAddress())
                .setCallerDevice(incoming.callerDevice()).setVideo(incoming.video());
    }

    static Push.Builder push(DeviceMessage message) {
        Push.Builder push = Push.newBuilder();
        if (message instanceof DeviceMessage.CallRingingStopped stopped) {
            push.setCallRingingStopped(CallRingingStopped.newBuilder().setCallId(stopped.callId()).setReason(reason(stopped.reason())));
        } else if (message instanceof DeviceMessage.CallUnanswered unanswered) {
            switch (unanswered.why()) {
                case DECLINED -> push.setCallDeclined(CallDeclined.newBuilder().setCallId(unanswered.callId()).setAddress(unanswered.address()));
                case BUSY -> push.setCallBusy(CallBusy.newBuilder().setCallId(unanswered.callId()).setAddress(unanswered.address()));
                case MISSED -> push.setCallMissed(CallMissed.newBuilder().setCallId(unanswered.callId()).setAddress(unanswered.address()));
            }
        } else if (message instanceof DeviceMessage.CallParticipants participants) {
            push.setCallParticipants(CallParticipants.newBuilder().setCallId(participants.callId())
                    .addAllParticipants(ClientApi.participants(participants.participants())));
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

    private static CallEndReason reason(CallRoom.EndReason reason) {
        return switch (reason) {
            case HUNG_UP -> CallEndReason.CALL_HUNG_UP;
            case ALL_LEFT -> CallEndReason.CALL_ALL_LEFT;
            case CANCELLED -> CallEndReason.CALL_CANCELLED;
            case NOT_ANSWERED -> CallEndReason.CALL_NOT_ANSWERED;
        };
    }
}
