package org.securecomm.relay.call;

import com.google.protobuf.ByteString;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.FrameLimits;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.InviteToCall;
import org.securecomm.protocol.client.v1.SendCallSignal;
import org.securecomm.protocol.federation.v1.CallAction;
import org.securecomm.protocol.federation.v1.CallBusyHere;
import org.securecomm.protocol.federation.v1.CallConnectionLost;
import org.securecomm.protocol.federation.v1.CallDecline;
import org.securecomm.protocol.federation.v1.CallEnd;
import org.securecomm.protocol.federation.v1.CallLeave;
import org.securecomm.protocol.federation.v1.CallStillHere;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.Asks;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.account.DeviceSummary;
import org.securecomm.relay.media.MediaAdmission;

/**
 * The gateway's side of call signalling: checks requests, resolves callees to their accounts and
 * devices, and asks the call's CallRoom. Call ids are 128 random bits chosen here followed by
 * {@code @domain} of the cluster whose CallRoom holds the call: a device acts in a call of another
 * cluster through {@link ForeignCalls}, and devices of other clusters act in calls of this one
 * through the {@code Participant} methods (their account id is their address).
 */
public final class CallManager {

    private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9_-]{22}@(.{1,253})");

    /** A new call and the caller's media route. */
    public record Started(String callId, MediaAdmission.Route media) {
    }

    private final ClusterSharding sharding;
    private final AccountManager accounts;
    private final Duration askTimeout;
    private final int maxParticipants;
    private final ForeignCalls foreign;
    private final SecureRandom random = new SecureRandom();

    /** @param foreign calls of other clusters; null when this cluster does not federate */
    public CallManager(ClusterSharding sharding, AccountManager accounts, Duration askTimeout, int maxParticipants, ForeignCalls foreign) {
        this.sharding = sharding;
        this.accounts = accounts;
        this.askTimeout = askTimeout;
        this.maxParticipants = maxParticipants;
        this.foreign = foreign;
    }

    /** Creates the call with the caller in it and rings every device of every callee. */
    public CompletionStage<Started> start(AuthenticatedDevice caller, List<String> callees, boolean video) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        String callId = Base64.getUrlEncoder().withoutPadding().encodeToString(id) + "@" + accounts.domain();
        return callees(caller.accountId(), callees).thenCompose(resolved -> ask(callId,
                        replyTo -> new CallRoom.Create(participant(caller), resolved, video, replyTo)))
                .thenApply(accepted -> new Started(callId, accepted.media()));
    }

    public CompletionStage<CallRoom.Accepted> join(AuthenticatedDevice device, String callId, boolean answer) {
        String owner = owner(callId);
        if (owner != null) {
            return foreign.join(device, callId, owner, answer);
        }
        return join(participant(device), callId, answer, null);
    }

    /** A device joins a call of this cluster; {@code cascade} names the forwarder link of a device of another cluster. */
    public CompletionStage<CallRoom.Accepted> join(CallRoom.Participant device, String callId, boolean answer, String cascade) {
        return ask(checked(callId), replyTo -> new CallRoom.Join(device, answer, cascade, replyTo));
    }

    public CompletionStage<Void> decline(AuthenticatedDevice device, String callId) {
        String owner = owner(callId);
        return owner != null ? foreign.act(device, callId, owner, action().setDecline(CallDecline.getDefaultInstance()))
                : decline(participant(device), callId);
    }

    public CompletionStage<Void> decline(CallRoom.Participant device, String callId) {
        return done(ask(checked(callId), replyTo -> new CallRoom.Decline(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> cancel(AuthenticatedDevice device, String callId) {
        // Only the caller cancels, and a caller's call is always of its own cluster.
        return done(ask(checked(callId), replyTo -> new CallRoom.Cancel(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> leave(AuthenticatedDevice device, String callId) {
        String owner = owner(callId);
        return owner != null ? foreign.act(device, callId, owner, action().setLeave(CallLeave.getDefaultInstance()))
                : leave(participant(device), callId);
    }

    public CompletionStage<Void> leave(CallRoom.Participant device, String callId) {
        return done(ask(checked(callId), replyTo -> new CallRoom.Leave(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> end(AuthenticatedDevice device, String callId) {
        String owner = owner(callId);
        return owner != null ? foreign.act(device, callId, owner, action().setEnd(CallEnd.getDefaultInstance()))
                : end(participant(device), callId);
    }

    public CompletionStage<Void> end(CallRoom.Participant device, String callId) {
        return done(ask(checked(callId), replyTo -> new CallRoom.End(device.accountId(), device.deviceId(), replyTo)));
    }

    public CompletionStage<Void> invite(AuthenticatedDevice device, String callId, List<String> addresses) {
        String owner = owner(callId);
        return owner != null
                ? foreign.act(device, callId, owner, action().setInvite(InviteToCall.newBuilder().setCallId(callId).addAllAddresses(addresses)))
                : invite(participant(device), callId, addresses);
    }

    public CompletionStage<Void> invite(CallRoom.Participant device, String callId, List<String> addresses) {
        String id = checked(callId);
        return done(callees(device.accountId(), addresses).thenCompose(resolved ->
                ask(id, replyTo -> new CallRoom.Invite(device.accountId(), device.deviceId(), resolved, replyTo))));
    }

    public CompletionStage<Void> signal(AuthenticatedDevice device, String callId, String toAddress, int toDevice, int kind,
                                        byte[] payload) {
        String owner = owner(callId);
        if (owner != null) {
            checkSignal(kind, payload);
            return foreign.act(device, callId, owner, action().setSignal(SendCallSignal.newBuilder().setCallId(callId)
                    .setToAddress(address(toAddress).toString()).setToDevice(toDevice).setKindValue(kind)
                    .setPayload(com.google.protobuf.ByteString.copyFrom(payload))));
        }
        return signal(participant(device), callId, toAddress, toDevice, kind, payload);
    }

    public CompletionStage<Void> signal(CallRoom.Participant device, String callId, String toAddress, int toDevice, int kind,
                                        byte[] payload) {
        String id = checked(callId);
        checkSignal(kind, payload);
        String to = address(toAddress).toString();
        return done(ask(id, replyTo -> new CallRoom.Signal(device.accountId(), device.deviceId(), to, toDevice, kind, payload, replyTo)));
    }

    /** The device's connection closed while it was in the call. */
    public void connectionLost(AuthenticatedDevice device, String callId) {
        String owner = owner(callId);
        if (owner != null) {
            foreign.tell(device, callId, owner, action().setConnectionLost(CallConnectionLost.getDefaultInstance()));
        } else {
            connectionLost(participant(device), callId);
        }
    }

    public void connectionLost(CallRoom.Participant device, String callId) {
        room(checked(callId)).tell(new CallRoom.ConnectionLost(device.accountId(), device.deviceId()));
    }

    /** The device was rung while its connection is in another call. */
    public void reportBusy(AuthenticatedDevice device, String callId) {
        String owner = owner(callId);
        if (owner != null) {
            foreign.tell(device, callId, owner, action().setBusy(CallBusyHere.getDefaultInstance()));
        } else {
            reportBusy(participant(device), callId);
        }
    }

    public void reportBusy(CallRoom.Participant device, String callId) {
        room(checked(callId)).tell(new CallRoom.ReportBusy(device.accountId(), device.deviceId()));
    }

    /** The device's connection is still in the call a recovered CallRoom probed for. */
    public void stillHere(AuthenticatedDevice device, String callId) {
        String owner = owner(callId);
        if (owner != null) {
            foreign.tell(device, callId, owner, action().setStillHere(CallStillHere.getDefaultInstance()));
        } else {
            stillHere(participant(device), callId);
        }
    }

    public void stillHere(CallRoom.Participant device, String callId) {
        room(checked(callId)).tell(new CallRoom.StillHere(device.accountId(), device.deviceId()));
    }

    // ------------------------------------------------------------------ helpers

    private static CallRoom.Participant participant(AuthenticatedDevice device) {
        return new CallRoom.Participant(device.accountId(), device.address().toString(), device.deviceId());
    }

    private static CallAction.Builder action() {
        return CallAction.newBuilder();
    }

    private static void checkSignal(int kind, byte[] payload) {
        if (kind <= 0) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call signal needs a kind");
        }
        if (payload.length > FrameLimits.MAX_CALL_SIGNAL_PAYLOAD) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call signal payload is at most " + FrameLimits.MAX_CALL_SIGNAL_PAYLOAD + " bytes");
        }
    }

    /**
     * Resolves distinct addresses (never the requester's own) to their accounts and current
     * devices; an account of another cluster is rung on all its devices by its home relay.
     */
    private CompletionStage<List<CallRoom.Callee>> callees(String requesterAccountId, List<String> addresses) {
        if (addresses.isEmpty() || addresses.size() > maxParticipants) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a call rings 1 to " + maxParticipants + " addresses");
        }
        Set<Address> distinct = new LinkedHashSet<>();
        addresses.forEach(a -> distinct.add(address(a)));
        List<CompletableFuture<CallRoom.Callee>> resolved = new ArrayList<>();
        for (Address address : distinct) {
            if (!accounts.isLocal(address)) {
                if (foreign == null) {
                    throw new ApiException(ErrorCode.FEDERATION_REFUSED, address + " is served by another cluster and this relay does not federate");
                }
                if (address.toString().equals(requesterAccountId)) {
                    throw new ApiException(ErrorCode.INVALID_ARGUMENT, "one does not call one's own address");
                }
                resolved.add(CompletableFuture.completedFuture(new CallRoom.Callee(address.toString(), address.toString(),
                        List.of(CallRoom.ALL_DEVICES))));
                continue;
            }
            resolved.add(accounts.resolve(address).thenCompose(accountId -> {
                if (accountId.equals(requesterAccountId)) {
                    throw new ApiException(ErrorCode.INVALID_ARGUMENT, "one does not call one's own address");
                }
                return accounts.devices(accountId).thenApply(devices ->
                        new CallRoom.Callee(accountId, address.toString(), devices.devices().stream().map(DeviceSummary::id).toList()));
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
    private String checked(String callId) {
        if (callId == null) {
            throw unknownCall();
        }
        Matcher matcher = CALL_ID.matcher(callId);
        if (!matcher.matches() || !matcher.group(1).equals(accounts.domain())) {
            throw unknownCall();
        }
        return callId;
    }

    /** The domain of the cluster holding the call when that is another cluster, else null. */
    private String owner(String callId) {
        Matcher matcher = callId == null ? null : CALL_ID.matcher(callId);
        if (matcher == null || !matcher.matches() || !Address.isValidDomain(matcher.group(1))) {
            throw unknownCall();
        }
        String domain = matcher.group(1);
        if (domain.equals(accounts.domain())) {
            return null;
        }
        if (foreign == null) {
            throw unknownCall();
        }
        return domain;
    }

    private static ApiException unknownCall() {
        return new ApiException(ErrorCode.UNKNOWN_CALL, "no such call (ended, or never existed)");
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
