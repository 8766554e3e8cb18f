package org.securecomm.relay.call;

import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.federation.v1.CallAction;
import org.securecomm.relay.account.AuthenticatedDevice;

/**
 * Calls whose room lives on another cluster (the call id names its domain): a device of this
 * cluster acts in them through its home relay, which asks the room's cluster and carries the
 * device's media to it through its own forwarder (a cascade).
 */
public interface ForeignCalls {

    /** AnswerCall or JoinCall: the call, and this device's route at this cluster's forwarder. */
    CompletionStage<CallRoom.Accepted> join(AuthenticatedDevice device, String callId, String owner, boolean answer);

    /** Any other action (decline, leave, end, signal, invite), answered when the room answered. */
    CompletionStage<Void> act(AuthenticatedDevice device, String callId, String owner, CallAction.Builder action);

    /** A notice that needs no answer (busy, connection lost, still here). */
    void tell(AuthenticatedDevice device, String callId, String owner, CallAction.Builder action);
}
