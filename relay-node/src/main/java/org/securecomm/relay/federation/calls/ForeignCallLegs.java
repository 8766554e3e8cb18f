package org.securecomm.relay.federation.calls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.protocol.federation.v1.CallAction;
import org.securecomm.protocol.federation.v1.CallAnswer;
import org.securecomm.protocol.federation.v1.CallJoin;
import org.securecomm.protocol.federation.v1.CallLinked;
import org.securecomm.protocol.federation.v1.Query;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.call.ForeignCalls;
import org.securecomm.relay.federation.RemoteRouting;
import org.securecomm.relay.media.LinkStats;
import org.securecomm.relay.media.MediaAdmission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's legs of calls whose room lives on another cluster. A leg is a room at this node's
 * forwarder for the local devices in the call, linked (cascade) to the room's forwarder over there
 * with the token that cluster answered; devices get routes to the local room only, so no device
 * ever sends to a foreign operator's relay. Node-local soft state, like the forwarder's rooms: a
 * restart forgets it and the devices join again.
 */
public final class ForeignCallLegs implements ForeignCalls {

    private static final Logger log = LoggerFactory.getLogger(ForeignCallLegs.class);

    private record DeviceKey(String accountId, int deviceId) {
    }

    /** One call's leg; guarded by itself. */
    private static final class Leg {
        final long roomId;
        final Instant opened;
        final Map<DeviceKey, MediaAdmission.Route> devices = new LinkedHashMap<>();
        MediaRoute cascade;
        boolean closed;

        Leg(long roomId, Instant opened) {
            this.roomId = roomId;
            this.opened = opened;
        }
    }

    /**
     * A leg whose link the room's forwarder has not answered for this long is closed: the room
     * revoked its token (its last device here left without a word, e.g. a client that died) or the
     * call is gone, and nobody would tell this cluster.
     */
    public static final Duration SILENT_LINK = Duration.ofSeconds(30);

    private final RemoteRouting routing;
    private final MediaAdmission media;
    private final Executor blocking;
    private final Clock clock;
    private final Duration silentLink;
    private final Map<String, Leg> legs = new ConcurrentHashMap<>();

    /**
     * @param blocking runs forwarder calls that bind sockets or resolve host names
     * @param clock      for {@link #closeSilentLegs()}
     * @param silentLink how long a link may go unanswered before its leg closes ({@link #SILENT_LINK})
     */
    public ForeignCallLegs(RemoteRouting routing, MediaAdmission media, Executor blocking, Clock clock, Duration silentLink) {
        this.routing = routing;
        this.media = media;
        this.blocking = blocking;
        this.clock = clock;
        this.silentLink = silentLink;
    }

    @Override
    public CompletionStage<CallRoom.Accepted> join(AuthenticatedDevice device, String callId, String owner, boolean answer) {
        Leg leg = legs.computeIfAbsent(callId, id -> new Leg(media.openRoom(), clock.instant()));
        CallAction.Builder action = action(device, callId);
        if (answer) {
            action.setAnswer(CallAnswer.newBuilder().setLink(leg.roomId));
        } else {
            action.setJoin(CallJoin.newBuilder().setLink(leg.roomId));
        }
        return routing.ask(owner, Query.newBuilder().setCallAction(action).build())
                .thenApplyAsync(result -> {
                    if (!result.hasCallLinked()) {
                        throw new ApiException(ErrorCode.UNAVAILABLE, owner + " answered a join with something else");
                    }
                    return admit(leg, device, result.getCallLinked());
                }, blocking)
                .whenComplete((accepted, failure) -> {
                    if (failure != null) {
                        closeIfEmpty(callId, leg);
                    }
                });
    }

    private CallRoom.Accepted admit(Leg leg, AuthenticatedDevice device, CallLinked linked) {
        MediaRoute cascade = linked.getCascade();
        MediaAdmission.Route route;
        synchronized (leg) {
            if (leg.closed) {
                throw new ApiException(ErrorCode.UNAVAILABLE, "the call's leg on this relay closed meanwhile: join again");
            }
            if (!cascade.equals(leg.cascade)) {
                if (leg.cascade != null) {
                    media.unlinkCascade(leg.roomId, leg.cascade.getHost(), leg.cascade.getPort());
                }
                MediaAdmission.Link link = media.linkCascade(leg.roomId, cascade.getHost(), cascade.getPort(),
                        MediaDatagrams.idOf(cascade.getRoomId().toByteArray()), MediaDatagrams.idOf(cascade.getToken().toByteArray()));
                if (link == null) {
                    throw new ApiException(ErrorCode.UNAVAILABLE, "this relay's media forwarder is closing");
                }
                leg.cascade = cascade;
            }
            DeviceKey key = new DeviceKey(device.accountId(), device.deviceId());
            MediaAdmission.Route previous = leg.devices.remove(key);
            if (previous != null) {
                media.revoke(previous.roomId(), previous.token());
            }
            route = media.admit(leg.roomId);
            if (route == null) {
                throw new ApiException(ErrorCode.UNAVAILABLE, "this relay's media forwarder is closing");
            }
            leg.devices.put(key, route);
        }
        List<CallRoom.Participant> participants = linked.getParticipantsList().stream()
                .map(p -> new CallRoom.Participant(p.getAddress(), p.getAddress(), p.getDeviceId())).toList();
        return new CallRoom.Accepted(linked.getVideo(), participants, route);
    }

    @Override
    public CompletionStage<Void> act(AuthenticatedDevice device, String callId, String owner, CallAction.Builder action) {
        boolean leaving = action.hasLeave() || action.hasEnd();
        return routing.ask(owner, Query.newBuilder().setCallAction(action(device, callId).mergeFrom(action.build())).build())
                .whenComplete((result, failure) -> {
                    // The device is gone from this leg whether or not the room's cluster heard it.
                    if (leaving) {
                        left(callId, device);
                    }
                })
                .thenApply(result -> null);
    }

    @Override
    public void tell(AuthenticatedDevice device, String callId, String owner, CallAction.Builder action) {
        routing.ask(owner, Query.newBuilder().setCallAction(action(device, callId).mergeFrom(action.build())).build())
                .whenComplete((result, failure) -> {
                    if (failure != null) {
                        log.debug("a call notice for {} was not taken: {}", owner, failure.toString());
                    }
                });
    }

    /** The room's cluster ended the call: the leg closes. */
    public void ended(String callId) {
        Leg leg = legs.remove(callId);
        if (leg != null) {
            close(leg);
        }
    }

    /** Closes the legs whose link has been silent for the silent-link time; run periodically. */
    public void closeSilentLegs() {
        Instant now = clock.instant();
        for (Map.Entry<String, Leg> entry : legs.entrySet()) {
            Leg leg = entry.getValue();
            MediaRoute cascade;
            synchronized (leg) {
                cascade = leg.cascade;
            }
            if (cascade == null || leg.opened.plus(silentLink).isAfter(now)) {
                continue; // still joining
            }
            LinkStats stats = media.linkStats(leg.roomId, cascade.getHost(), cascade.getPort());
            Instant lastHeard = stats == null || stats.lastEcho() == null ? leg.opened : stats.lastEcho();
            if (lastHeard.plus(silentLink).isBefore(now) && legs.remove(entry.getKey(), leg)) {
                log.info("closing the leg of a call of another cluster: its forwarder has not answered for {} s", silentLink.toSeconds());
                close(leg);
            }
        }
    }

    /** Legs open on this node (tests, diagnostics). */
    public int openLegs() {
        return legs.size();
    }

    /** Whether the device is in the call through this node (it is spared "ringing stopped"). */
    public boolean inCall(String callId, String accountId, int deviceId) {
        Leg leg = legs.get(callId);
        if (leg == null) {
            return false;
        }
        synchronized (leg) {
            return leg.devices.containsKey(new DeviceKey(accountId, deviceId));
        }
    }

    private void left(String callId, AuthenticatedDevice device) {
        Leg leg = legs.get(callId);
        if (leg == null) {
            return;
        }
        synchronized (leg) {
            MediaAdmission.Route route = leg.devices.remove(new DeviceKey(device.accountId(), device.deviceId()));
            if (route != null) {
                media.revoke(route.roomId(), route.token());
            }
        }
        closeIfEmpty(callId, leg);
    }

    private void closeIfEmpty(String callId, Leg leg) {
        synchronized (leg) {
            if (!leg.devices.isEmpty()) {
                return;
            }
        }
        if (legs.remove(callId, leg)) {
            close(leg);
        }
    }

    private void close(Leg leg) {
        synchronized (leg) {
            leg.closed = true;
            leg.devices.clear();
        }
        media.closeRoom(leg.roomId); // closes its cascade link too
    }

    private static CallAction.Builder action(AuthenticatedDevice device, String callId) {
        return CallAction.newBuilder().setCallId(callId).setAddress(device.address().toString()).setDeviceId(device.deviceId());
    }
}
