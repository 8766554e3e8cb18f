package org.securecomm.client.call;

import java.util.List;
import org.securecomm.protocol.client.v1.CallEndReason;
import org.securecomm.protocol.content.v1.CallRecord;

/** What happens in calls, for the user interface (listeners run on the client's worker thread: return quickly). */
public sealed interface CallUpdate {

    String callId();

    /** Another account rings this device. */
    record Ringing(String callId, String caller, int callerDevice, boolean video) implements CallUpdate {
    }

    /** The ringing here stopped; {@code outcome} is what the history now says. */
    record RingStopped(String callId, CallRecord.Outcome outcome) implements CallUpdate {
    }

    /** This device is in the call (placed, answered, joined or rejoined). */
    record Joined(String callId, List<String> participants) implements CallUpdate {
    }

    /** Who is in the call now (other devices, "address.device"). */
    record Participants(String callId, List<String> participants) implements CallUpdate {
    }

    /** A callee did not take the call. */
    record Unanswered(String callId, String address, CallRecord.Outcome outcome) implements CallUpdate {
    }

    record MediaPath(String callId, String description) implements CallUpdate {
    }

    record KeyRotated(String callId, long keyId, String why) implements CallUpdate {
    }

    /** The connection dropped during the call; {@code attempt} counts tries to get back in. */
    record Reconnecting(String callId, int attempt) implements CallUpdate {
    }

    /** This device is out of the call: it ended for everyone, or this device left. */
    record Ended(String callId, CallEndReason reason, CallRecord record) implements CallUpdate {
    }
}
