package org.securecomm.relay.federation.calls;

import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.federation.v1.CallAction;
import org.securecomm.protocol.federation.v1.QueryResult;

/** Applies what a device of another cluster does in a call whose room lives on this one. */
public interface CallActions {

    CompletionStage<QueryResult> act(String origin, CallAction action);
}
