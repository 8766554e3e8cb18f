package org.securecomm.relay.call;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.FrameLimits;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.Asks;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.account.Device;
import org.securecomm.relay.media.MediaAdmission;

/**
 * The gateway's side of call signalling: checks requests, resolves callees to their accounts and
 * devices, and asks the call's CallRoom. Call ids are 128 random bits chosen here.
 */
public final class CallManager {

    private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9_-]{22}");

    /** A new call and the caller's media route. */
    public record Started(String callId, MediaAdmission.Route media) {
    }

    private final ClusterSharding sharding;
    private final AccountManager accounts;
    private final Duration askTimeout;
    private final int maxParticipants;
    private final SecureRandom random = new SecureRandom();

    public CallManager(ClusterSharding sharding, AccountManager accounts, Duration askTimeout, int maxParticipants) {
        this.sharding = sharding;
        this.accounts = accounts;
        this.askTimeout = askTimeout;
        this.maxParticipants = maxParticipants;
    }

    /** Creates the call with the caller in it and rings every device of every callee. */
    public CompletionStage<Started> start(AuthenticatedDevice caller, List<String> callees, boolean video) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        String callId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        return callees(caller, callees).thenCompose(resolved -> ask(callId,
                        replyTo -> new CallRoom.Create(participant(caller), resolved, video, replyTo)))
                .thenApply(accepted -> new Started(callId, accepted.media()));
    }

    public CompletionStage<CallRoom.Accepted> join(AuthenticatedDevice device, String callId, boolean answer) {
        return ask(checked(callId), replyTo -> new CallRoom.Join(participant(device), answer, replyTo));
    }

    public CompletionStage<Void> decline(AuthenticatedDevice device, String callId) {
        return done(ask(checked(callId), replyTo -> new CallRoom.Decline(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> cancel(AuthenticatedDevice device, String callId) {
        return done(ask(checked(callId), replyTo -> new CallRoom.Cancel(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> leave(AuthenticatedDevice device, String callId) {
        return done(ask(checked(callId), replyTo -> new CallRoom.Leave(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> end(AuthenticatedDevice device, String callId) {
        return done(ask(checked(callId), replyTo -> new CallRoom.End(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> invite(AuthenticatedDevice device, String callId, List<String> addresses) {
        String id = checked(callId);
        return done(callees(device, addresses).thenCompose(resolved ->
                ask(id, replyTo -> new CallRoom.Invite(device.accountId(), device.deviceId(), resolved, replyTo))));
    }

    public CompletionStage<Void> signal(AuthenticatedDevice device, String callId, String toAddress, int toDevice, int kind,
                                        byte[] payload) {
        String id = checked(callId);
        if (kind <= 0) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call signal needs a kind");
        }
        if (payload.length > FrameLimits.MAX_CALL_SIGNAL_PAYLOAD) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call signal payload is at most " + FrameLimits.MAX_CALL_SIGNAL_PAYLOAD + " bytes");
        }
        String to = address(toAddress).toString();
        return done(ask(id, replyTo -> new CallRoom.Signal(device.accountId(), device.deviceId(), to, toDevice, kind, payload, replyTo)));
    }

    /** The device's connection closed while it was in the call. */
    public void connectionLost(AuthenticatedDevice device, String callId) {
        room(callId).tell(new CallRoom.ConnectionLost(device.accountId(), device.deviceId()));
    }

    /** The device was rung while its connection is in another call. */
    public void reportBusy(AuthenticatedDevice device, String callId) {
        room(callId).tell(new CallRoom.ReportBusy(device.accountId(), device.deviceId()));
    }

    /** The device's connection is still in the call a recovered CallRoom probed for. */
    public void stillHere(AuthenticatedDevice device, String callId) {
        room(callId).tell(new CallRoom.StillHere(device.accountId(), device.deviceId()));
    }

    // ------------------------------------------------------------------ helpers

    private static CallRoom.Participant participant(AuthenticatedDevice device) {
        return new CallRoom.Participant(device.accountId(), device.address().toString(), device.deviceId());
    }

    /** Resolves distinct addresses (never the requester's own) to their accounts and current devices. */
    private CompletionStage<List<CallRoom.Callee>> callees(AuthenticatedDevice requester, List<String> addresses) {
        if (addresses.isEmpty() || addresses.size() > maxParticipants) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call rings 1 to " + maxParticipants + " addresses");
        }
        Set<String> distinct = new LinkedHashSet<>();
        addresses.forEach(a -> distinct.add(address(a).toString()));
        List<CompletableFuture<CallRoom.Callee>> resolved = new ArrayList<>();
        for (String address : distinct) {
            resolved.add(accounts.resolve(address).thenCompose(accountId -> {
                if (accountId.equals(requester.accountId())) {
                    throw new ApiException(ErrorCode.INVALID_ARGUMENT, "one does not call one's own address");
                }
                return accounts.devices(accountId).thenApply(devices ->
                        new CallRoom.Callee(accountId, address, devices.devices().stream().map(Device::id).toList()));
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(resolved.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> resolved.stream().map(CompletableFuture::join).toList());
    }

    private static Address address(String text) {
        try {
            return Address.parse(text);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "not an address: " + e.getMessage());
        }
    }

    /** A malformed id cannot name a call: no entity is started for it. */
    private static String checked(String callId) {
        if (callId == null || !CALL_ID.matcher(callId).matches()) {
            throw new ApiException(ErrorCode.UNKNOWN_CALL, "no such call (ended, or never existed)");
        }
        return callId;
    }

    private EntityRef<CallRoom.Command> room(String callId) {
        return sharding.entityRefFor(CallRoom.TYPE_KEY, callId);
    }

    private CompletionStage<CallRoom.Accepted> ask(String callId, Function<ActorRef<CallRoom.Reply>, CallRoom.Command> command) {
        return Asks.plain(room(callId).ask(command::apply, askTimeout)).thenApply(reply -> {
            if (reply instanceof CallRoom.Refused refused) {
                throw new ApiException(code(refused.refusal()), refused.message());
            }
            return (CallRoom.Accepted) reply;
        });
    }

    private static CompletionStage<Void> done(CompletionStage<CallRoom.Accepted> stage) {
        return stage.thenApply(accepted -> null);
    }

    private static ErrorCode code(CallRoom.Refusal refusal) {
        return switch (refusal) {
            case UNKNOWN_CALL -> ErrorCode.UNKNOWN_CALL;
            case NOT_IN_CALL -> ErrorCode.NOT_IN_CALL;
            case NOT_RINGING -> ErrorCode.CALL_NOT_RINGING;
            case FULL -> ErrorCode.CALL_FULL;
            case FORBIDDEN -> ErrorCode.FORBIDDEN;
        };
    }
}
