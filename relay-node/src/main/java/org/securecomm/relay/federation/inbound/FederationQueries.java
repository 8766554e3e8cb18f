package org.securecomm.relay.federation.inbound;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.securecomm.federation.FederationRejection;
import org.securecomm.federation.OriginCheck;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.FederationError;
import org.securecomm.protocol.federation.v1.FederationResponse;
import org.securecomm.protocol.federation.v1.GetPreKeyBundlesQuery;
import org.securecomm.protocol.federation.v1.Query;
import org.securecomm.protocol.federation.v1.QueryResult;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.KeyDirectory;
import org.securecomm.relay.federation.ErrorText;
import org.securecomm.relay.federation.calls.CallActions;

/**
 * Answers verified queries of other clusters at once: prekey bundles of local accounts, and the
 * actions their devices take in calls whose room lives here. A refusal (unknown account, unknown
 * call) is an answer with APPLICATION_ERROR and the client error code, passed on to the device.
 */
public final class FederationQueries {

    private final AccountManager accounts;
    private final KeyDirectory keys;
    private final CallActions calls;

    public FederationQueries(AccountManager accounts, KeyDirectory keys, CallActions calls) {
        this.accounts = accounts;
        this.keys = keys;
        this.calls = calls;
    }

    CompletionStage<FederationResponse> answer(String origin, Query query) {
        CompletionStage<QueryResult> result;
        try {
            switch (query.getKindCase()) {
                case GET_PRE_KEY_BUNDLES:
                    result = bundles(origin, query.getGetPreKeyBundles());
                    break;
                case CALL_ACTION:
                    OriginCheck.requireOfOrigin(query.getCallAction().getAddress(), origin);
                    result = calls.act(origin, query.getCallAction());
                    break;
                default:
                    throw new FederationRejection(Rejection.MALFORMED_REQUEST, "a query of unknown kind", 0);
            }
        } catch (FederationRejection e) {
            return CompletableFuture.failedFuture(e);
        } catch (ApiException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((answered, failure) -> {
            if (failure == null) {
                return FederationResponse.newBuilder().setQuery(answered).build();
            }
            Throwable cause = ErrorText.cause(failure);
            if (cause instanceof ApiException api) {
                FederationError.Builder error = FederationError.newBuilder().setRejection(Rejection.APPLICATION_ERROR)
                        .setCode(api.code()).setMessage(api.getMessage()).setRetryAfterSeconds((int) api.retryAfterSeconds());
                if (api.mismatchedDevices() != null) {
                    error.setMismatchedDevices(api.mismatchedDevices());
                }
                return FederationResponse.newBuilder().setError(error).build();
            }
            throw new CompletionException(cause);
        });
    }

    private CompletionStage<QueryResult> bundles(String origin, GetPreKeyBundlesQuery query) throws FederationRejection {
        OriginCheck.requireOfOrigin(query.getRequester(), origin);
        Address address = AccountManager.parseAddress(query.getRequest().getAddress());
        if (!accounts.isLocal(address)) {
            throw new ApiException(ErrorCode.UNKNOWN_ACCOUNT, address + " is not an address of this cluster");
        }
        if (query.getRequest().getDeviceId() < 0) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "device_id must not be negative");
        }
        return keys.localBundles(address, query.getRequest().getDeviceId())
                .thenApply(bundles -> QueryResult.newBuilder().setPreKeyBundles(bundles).build());
    }
}
