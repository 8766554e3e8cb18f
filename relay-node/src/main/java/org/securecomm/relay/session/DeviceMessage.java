package org.securecomm.relay.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.account.KeyStock;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.mailbox.StoredEnvelope;

/**
 * What the cluster pushes to a device's live connection, wherever that connection lives. Carried
 * inside other messages between nodes ({@link UserSession.Notify}), so the serialized form names
 * its type (a fixed list: never class names from the wire).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DeviceMessage.Deliver.class, name = "Deliver"),
        @JsonSubTypes.Type(value = DeviceMessage.QueueEmpty.class, name = "QueueEmpty"),
        @JsonSubTypes.Type(value = DeviceMessage.KeyStockLow.class, name = "KeyStockLow"),
        @JsonSubTypes.Type(value = DeviceMessage.Linked.class, name = "Linked"),
        @JsonSubTypes.Type(value = DeviceMessage.Replaced.class, name = "Replaced"),
        @JsonSubTypes.Type(value = DeviceMessage.Removed.class, name = "Removed"),
        @JsonSubTypes.Type(value = DeviceMessage.AccountClosed.class, name = "AccountClosed"),
        @JsonSubTypes.Type(value = DeviceMessage.Provisioning.class, name = "Provisioning"),
        @JsonSubTypes.Type(value = DeviceMessage.IncomingCall.class, name = "IncomingCall"),
        @JsonSubTypes.Type(value = DeviceMessage.CallRingingStopped.class, name = "CallRingingStopped"),
        @JsonSubTypes.Type(value = DeviceMessage.CallUnanswered.class, name = "CallUnanswered"),
        @JsonSubTypes.Type(value = DeviceMessage.CallParticipants.class, name = "CallParticipants"),
        @JsonSubTypes.Type(value = DeviceMessage.CallEnded.class, name = "CallEnded"),
        @JsonSubTypes.Type(value = DeviceMessage.CallSignal.class, name = "CallSignal"),
        @JsonSubTypes.Type(value = DeviceMessage.CallProbe.class, name = "CallProbe")
})
public sealed interface DeviceMessage extends CborSerializable {

    record Deliver(StoredEnvelope envelope) implements DeviceMessage {
    }

    /** Everything that was queued when the connection attached has been pushed. */
    record QueueEmpty() implements DeviceMessage {
    }

    record KeyStockLow(KeyStock stock) implements DeviceMessage {
    }

    /**
     * The session or mailbox entity now serving this connection. Both are sharded and can move
     * (rebalance, a node leaving or lost): the connection watches each and connects again when
     * one stops, so a device that stays connected keeps getting its pushes.
     */
    record Linked(ActorRef<?> entity, LinkKind kind) implements DeviceMessage {
    }

    enum LinkKind { SESSION, MAILBOX }

    /** The same device connected again elsewhere; this connection must close. */
    record Replaced() implements DeviceMessage {
    }

    /** The device was removed from its account (or the account re-registered): close. */
    record Removed() implements DeviceMessage {
    }

    /** An operator disabled or deleted the account: close (authentication is refused from now on). */
    record AccountClosed(String reason) implements DeviceMessage {
    }

    /** A body for the device-linking channel an unauthenticated connection opened. */
    record Provisioning(String channelId, byte[] body) implements DeviceMessage {
    }

    // ---------------------------------------------------------------- calls (from a CallRoom)

    /** Ring: someone calls this device's account. A connection already in another call reports busy instead. */
    record IncomingCall(String callId, String callerAddress, int callerDevice, boolean video) implements DeviceMessage {
    }

    record CallRingingStopped(String callId, CallRoom.RingStop reason) implements DeviceMessage {
    }

    /** To participants: the callee at {@code address} declined, was busy or missed the call. */
    record CallUnanswered(String callId, String address, CallRoom.Unanswered why) implements DeviceMessage {
    }

    record CallParticipants(String callId, List<CallRoom.Participant> participants) implements DeviceMessage {
    }

    record CallEnded(String callId, CallRoom.EndReason reason) implements DeviceMessage {
    }

    /** An opaque, end-to-end encrypted signal from another participant; never stored or logged. */
    record CallSignal(String callId, String fromAddress, int fromDevice, int kind, byte[] payload) implements DeviceMessage {
    }

    /** Sent after the CallRoom recovered: a connection still in that call answers, nothing reaches the client. */
    record CallProbe(String callId) implements DeviceMessage {
    }
}
