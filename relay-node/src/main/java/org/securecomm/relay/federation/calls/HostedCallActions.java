package org.securecomm.relay.federation.calls;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.CallAction;
import org.securecomm.protocol.federation.v1.CallActionDone;
import org.securecomm.protocol.federation.v1.CallLinked;
import org.securecomm.protocol.federation.v1.QueryResult;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.call.CallManager;
import org.securecomm.relay.call.CallPushes;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.gateway.MediaRoutes;

/**
 * What devices of other clusters do in calls whose room lives here, as their home relays ask it.
 * The acting address was checked against the origin; the room checks that it was invited. The
 * route answered to a join is the cascade link's (one token per link of the origin's forwarder).
 */
public final class HostedCallActions implements CallActions {

    private static final QueryResult DONE = QueryResult.newBuilder().setCallActionDone(CallActionDone.getDefaultInstance()).build();

    private final CallManager calls;

    public HostedCallActions(CallManager calls) {
        this.calls = calls;
    }

    @Override
    public CompletionStage<QueryResult> act(String origin, CallAction action) {
        CallRoom.Participant device = new CallRoom.Participant(action.getAddress(), action.getAddress(), action.getDeviceId());
        if (action.getDeviceId() <= 0) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call action names the acting device");
        }
        String callId = action.getCallId();
        switch (action.getActionCase()) {
            case ANSWER:
                return join(device, callId, true, origin + "/" + action.getAnswer().getLink());
            case JOIN:
                return join(device, callId, false, origin + "/" + action.getJoin().getLink());
            case DECLINE:
                return done(calls.decline(device, callId));
            case LEAVE:
                return done(calls.leave(device, callId));
            case END:
                return done(calls.end(device, callId));
            case SIGNAL:
                return done(calls.signal(device, callId, action.getSignal().getToAddress(), action.getSignal().getToDevice(),
                        action.getSignal().getKindValue(), action.getSignal().getPayload().toByteArray()));
            case INVITE:
                return done(calls.invite(device, callId, action.getInvite().getAddressesList()));
            case BUSY:
                calls.reportBusy(device, callId);
                return CompletableFuture.completedFuture(DONE);
            case CONNECTION_LOST:
                calls.connectionLost(device, callId);
                return CompletableFuture.completedFuture(DONE);
            case STILL_HERE:
                calls.stillHere(device, callId);
                return CompletableFuture.completedFuture(DONE);
            default:
                throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call action of unknown kind");
        }
    }

    private CompletionStage<QueryResult> join(CallRoom.Participant device, String callId, boolean answer, String cascade) {
        return calls.join(device, callId, answer, cascade).thenApply(accepted -> QueryResult.newBuilder().setCallLinked(
                CallLinked.newBuilder().setVideo(accepted.video())
                        .addAllParticipants(CallPushes.participants(accepted.participants()))
                        .setCascade(MediaRoutes.route(accepted.media()))).build());
    }

    private static CompletionStage<QueryResult> done(CompletionStage<Void> stage) {
        return stage.thenApply(ignored -> DONE);
    }
}
