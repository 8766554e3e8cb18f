package org.securecomm.relay.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.AskTimeoutException;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.Authenticated;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Closing;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.Error;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.Pong;
import org.securecomm.protocol.client.v1.PreKeyStockLow;
import org.securecomm.protocol.client.v1.ProvisioningMessage;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.QueueEmpty;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.ServerMessage;
import org.securecomm.relay.call.CallPushes;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.mailbox.StoredEnvelope;
import org.securecomm.relay.metrics.RelayMetrics;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.session.UserSession;

/**
 * One client WebSocket. Starts unauthenticated (registration and Authenticate only), then serves
 * the authenticated device: requests run concurrently up to a limit (beyond it the socket is
 * back-pressured), pushes from the device's Mailbox are framed and sent, and a bad request only
 * ever costs its sender an error response.
 */
public final class Connection extends AbstractBehavior<Connection.Command> {

    public sealed interface Command {
    }

    /** The inbound stream is ready; {@code ackTo} wants {@link Ack} for each element. */
    record StreamStarted(ActorRef<Ack> ackTo) implements Command {
    }

    record FrameArrived(Inbound frame, ActorRef<Ack> ackTo) implements Command {
    }

    record StreamEnded() implements Command {
    }

    record StreamFailed(Throwable cause) implements Command {
    }

    enum Ack { INSTANCE }

    private record RequestDone(long requestId, String type, long startedNanos, Response.Builder response, Throwable failure)
            implements Command {
    }

    private record AuthenticationDone(long requestId, long startedNanos, AccountManager.Authenticated result, Throwable failure)
            implements Command {
    }

    private record FromCluster(DeviceMessage message) implements Command {
    }

    /** The session or mailbox this connection was linked to stopped (it moved or its node was lost). */
    private record LinkLost() implements Command {
    }

    /** Has the mailbox answered the Connect numbered {@code attempt}? */
    private record CheckMailboxLinked(long attempt) implements Command {
    }

    /**
     * How long a Connect may go without its mailbox's {@link DeviceMessage.Linked} before it is
     * sent again: a shard region drops messages that arrive while it hands the shard off.
     */
    private static final java.time.Duration MAILBOX_LINK_TIMEOUT = java.time.Duration.ofSeconds(5);

    /** The node is shutting down: say so and close. */
    public record Shutdown() implements Command {
    }

    static Behavior<Command> create(ActorRef<Outbound> out, ClientApi api, GatewaySettings settings, ClusterSharding sharding,
                                    RelayMetrics metrics, ConnectionRegistry registry) {
        return Behaviors.setup(context -> new Connection(context, out, api, settings, sharding, metrics, registry));
    }

    private final ActorRef<Outbound> out;
    private final ClientApi api;
    private final GatewaySettings settings;
    private final ClusterSharding sharding;
    private final RelayMetrics metrics;
    private final ConnectionRegistry registry;
    private final ActorRef<DeviceMessage> pushTarget;
    private final TokenBucket requestBucket;
    private final TokenBucket envelopeBucket;
    private final TokenBucket discoveryBucket;
    private final TokenBucket authenticationBucket;

    private AuthenticatedDevice device;
    // The call this connection's device is in (soft: set by StartCall, AnswerCall, JoinCall),
    // which makes the device busy for other calls and tells its CallRoom when the socket closes.
    private String activeCall;
    private boolean authenticating;
    private int inFlight;
    private ActorRef<Ack> pendingAck;
    private boolean closing;
    // Connects sent to the session, and the last one the mailbox answered (see CheckMailboxLinked).
    private long connectAttempt;
    private long mailboxLinkedAttempt;

    private Connection(ActorContext<Command> context, ActorRef<Outbound> out, ClientApi api, GatewaySettings settings,
                       ClusterSharding sharding, RelayMetrics metrics, ConnectionRegistry registry) {
        super(context);
        this.out = out;
        this.api = api;
        this.settings = settings;
        this.sharding = sharding;
        this.metrics = metrics;
        this.registry = registry;
        this.pushTarget = context.messageAdapter(DeviceMessage.class, FromCluster::new);
        long now = System.nanoTime();
        this.requestBucket = new TokenBucket(settings.requestsPerSecond(), settings.requestBurst(), now);
        this.envelopeBucket = new TokenBucket(settings.envelopesPerSecond(), settings.envelopeBurst(), now);
        this.discoveryBucket = new TokenBucket(settings.discoveryHashesPerMinute() / 60, settings.discoveryHashBurst(), now);
        this.authenticationBucket = new TokenBucket(settings.authenticationAttemptsPerMinute() / 60,
                settings.authenticationAttemptBurst(), now);
        registry.add(context.getSelf());
        metrics.connectionOpened();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StreamStarted.class, m -> {
                    m.ackTo().tell(Ack.INSTANCE);
                    return this;
                })
                .onMessage(FrameArrived.class, this::onFrame)
                .onMessage(RequestDone.class, this::onRequestDone)
                .onMessage(AuthenticationDone.class, this::onAuthenticationDone)
                .onMessage(FromCluster.class, this::onFromCluster)
                .onMessage(LinkLost.class, m -> {
                    if (device != null && !closing) {
                        connectSession();
                    }
                    return this;
                })
                .onMessage(CheckMailboxLinked.class, m -> {
                    if (m.attempt() == connectAttempt && mailboxLinkedAttempt != connectAttempt && device != null && !closing) {
                        connectSession();
                    }
                    return this;
                })
                .onMessage(Shutdown.class, m -> close("the relay is shutting down: reconnect"))
                .onMessage(StreamEnded.class, m -> stop())
                .onMessage(StreamFailed.class, m -> stop())
                .build();
    }

    private Behavior<Command> onFrame(FrameArrived arrived) {
        if (arrived.frame() instanceof Inbound.Rejected rejected) {
            metrics.frameRejected(rejected.code());
            send(error(rejected.requestId(), new ApiException(rejected.code(), rejected.reason())));
            arrived.ackTo().tell(Ack.INSTANCE);
            return this;
        }
        ClientMessage request = ((Inbound.Request) arrived.frame()).message();
        inFlight++;
        handle(request);
        if (inFlight < settings.maxInFlightRequests()) {
            arrived.ackTo().tell(Ack.INSTANCE);
        } else {
            pendingAck = arrived.ackTo(); // the socket waits until a request completes
        }
        return this;
    }

    private void handle(ClientMessage request) {
        long requestId = request.getRequestId();
        ClientMessage.BodyCase type = request.getBodyCase();
        String typeName = type.name().toLowerCase(java.util.Locale.ROOT);
        long started = System.nanoTime();
        CompletionStage<Response.Builder> reply;
        try {
            checkLimits(request, type, started);
            if (type == ClientMessage.BodyCase.AUTHENTICATE) {
                authenticate(request, started);
                return;
            }
            reply = dispatch(request, type);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(reply, (response, failure) -> new RequestDone(requestId, typeName, started, response, failure));
    }

    private void checkLimits(ClientMessage request, ClientMessage.BodyCase type, long now) {
        int limit = settings.frameLimits().limitFor(type);
        if (request.getSerializedSize() > limit) {
            throw new ApiException(ErrorCode.FRAME_TOO_LARGE, "a " + type + " request is at most " + limit + " bytes");
        }
        throttle(requestBucket, 1, now, "too many requests");
        if (type == ClientMessage.BodyCase.SEND_ENVELOPES) {
            throttle(envelopeBucket, request.getSendEnvelopes().getEnvelopesCount() + request.getSendEnvelopes().getOwnDeviceEnvelopesCount(),
                    now, "too many envelopes");
        } else if (type == ClientMessage.BodyCase.DISCOVER_CONTACTS) {
            throttle(discoveryBucket, request.getDiscoverContacts().getIdentifierHashesCount(), now, "too many contact look-ups");
        } else if (type == ClientMessage.BodyCase.AUTHENTICATE || type == ClientMessage.BodyCase.REGISTER
                || type == ClientMessage.BodyCase.REQUEST_VERIFICATION_CODE || type == ClientMessage.BodyCase.OPEN_PROVISIONING_CHANNEL) {
            throttle(authenticationBucket, 1, now, "too many account attempts");
        }
    }

    private static void throttle(TokenBucket bucket, double cost, long now, String what) {
        long waitNanos = bucket.tryTake(cost, now);
        if (waitNanos > 0) {
            throw ApiException.rateLimited(what + " from this device: slow down", (waitNanos + 999_999_999L) / 1_000_000_000L);
        }
    }

    private CompletionStage<Response.Builder> dispatch(ClientMessage request, ClientMessage.BodyCase type) {
        switch (type) {
            case REQUEST_VERIFICATION_CODE:
                return api.requestVerificationCode(request.getRequestVerificationCode());
            case REGISTER:
                return api.register(request.getRegister());
            case PING:
                return CompletableFuture.completedFuture(Response.newBuilder()
                        .setPong(Pong.newBuilder().setServerTimeMillis(System.currentTimeMillis())));
            case GET_PRE_KEY_BUNDLES:
                return api.getPreKeyBundles(requireDevice(), request.getGetPreKeyBundles());
            case DISCOVER_CONTACTS:
                requireDevice();
                return api.discoverContacts(request.getDiscoverContacts());
            case ADD_DEVICE:
                return api.addDevice(requireDevice(), request.getAddDevice());
            case LIST_DEVICES:
                return api.listDevices(requireDevice());
            case REMOVE_DEVICE:
                return api.removeDevice(requireDevice(), request.getRemoveDevice());
            case OPEN_PROVISIONING_CHANNEL:
                if (device != null) {
                    throw new ApiException(ErrorCode.ALREADY_AUTHENTICATED, "only a device that is not yet linked opens a provisioning channel");
                }
                return api.openProvisioningChannel(pushTarget, getContext().getSelf());
            case SEND_PROVISIONING_MESSAGE:
                requireDevice();
                return api.sendProvisioningMessage(request.getSendProvisioningMessage());
            case UPLOAD_KEYS:
                return api.uploadKeys(requireDevice(), request.getUploadKeys());
            case SEND_ENVELOPES:
                return api.sendEnvelopes(requireDevice(), request.getSendEnvelopes());
            case ACKNOWLEDGE_ENVELOPES:
                return api.acknowledgeEnvelopes(requireDevice(), request.getAcknowledgeEnvelopes());
            case START_CALL:
                return api.startCall(requireDevice(), request.getStartCall());
            case ANSWER_CALL:
                return api.joinCall(requireDevice(), request.getAnswerCall().getCallId(), true);
            case JOIN_CALL:
                return api.joinCall(requireDevice(), request.getJoinCall().getCallId(), false);
            case DECLINE_CALL:
                return ClientApi.updated(request.getDeclineCall().getCallId(),
                        api.calls().decline(requireDevice(), request.getDeclineCall().getCallId()));
            case CANCEL_CALL:
                return ClientApi.updated(request.getCancelCall().getCallId(),
                        api.calls().cancel(requireDevice(), request.getCancelCall().getCallId()));
            case LEAVE_CALL:
                return ClientApi.updated(request.getLeaveCall().getCallId(),
                        api.calls().leave(requireDevice(), request.getLeaveCall().getCallId()));
            case END_CALL:
                return ClientApi.updated(request.getEndCall().getCallId(),
                        api.calls().end(requireDevice(), request.getEndCall().getCallId()));
            case INVITE_TO_CALL:
                return api.inviteToCall(requireDevice(), request.getInviteToCall());
            case SEND_CALL_SIGNAL:
                return api.sendCallSignal(requireDevice(), request.getSendCallSignal());
            case GET_TURN_CREDENTIALS:
                return api.turnCredentials(requireDevice());
            default:
                throw new ApiException(ErrorCode.MALFORMED_FRAME, "unknown request type " + type);
        }
    }

    private AuthenticatedDevice requireDevice() {
        if (device == null) {
            throw new ApiException(ErrorCode.NOT_AUTHENTICATED, "authenticate first");
        }
        return device;
    }

    private void authenticate(ClientMessage request, long started) {
        if (device != null || authenticating) {
            throw new ApiException(ErrorCode.ALREADY_AUTHENTICATED, "this connection is already authenticated");
        }
        authenticating = true;
        var credentials = request.getAuthenticate();
        CompletionStage<AccountManager.Authenticated> result;
        try {
            result = api.accounts().authenticate(credentials.getAccountId(), credentials.getDeviceId(), credentials.getPassword());
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(result, (ok, failure) -> new AuthenticationDone(request.getRequestId(), started, ok, failure));
    }

    private Behavior<Command> onAuthenticationDone(AuthenticationDone done) {
        authenticating = false;
        ServerMessage reply;
        if (done.failure() != null) {
            reply = error(done.requestId(), done.failure());
        } else {
            device = done.result().device();
            metrics.deviceAuthenticated();
            getContext().getLog().debug("device connected account={} device={}", device.accountId(), device.deviceId());
            connectSession();
            reply = ServerMessage.newBuilder().setResponse(Response.newBuilder().setRequestId(done.requestId())
                    .setAuthenticated(Authenticated.newBuilder()
                            .setAddress(device.address().toString())
                            .setDeviceId(device.deviceId())
                            .setKeyStock(ClientApi.keyStock(done.result().keyStock())))).build();
        }
        metrics.requestCompleted("authenticate", outcome(reply), System.nanoTime() - done.startedNanos());
        return replied(reply);
    }

    /** Links this connection to its device's session (and through it to its mailbox); safe to repeat. */
    private void connectSession() {
        connectAttempt++;
        sharding.entityRefFor(UserSession.TYPE_KEY, device.accountId())
                .tell(new UserSession.Connect(device.deviceId(), pushTarget, getContext().getSelf()));
        getContext().scheduleOnce(MAILBOX_LINK_TIMEOUT, getContext().getSelf(), new CheckMailboxLinked(connectAttempt));
    }

    private Behavior<Command> onRequestDone(RequestDone done) {
        ServerMessage reply = done.failure() == null
                ? ServerMessage.newBuilder().setResponse(done.response().setRequestId(done.requestId())).build()
                : error(done.requestId(), done.failure());
        metrics.requestCompleted(done.type(), outcome(reply), System.nanoTime() - done.startedNanos());
        if (done.failure() == null) {
            trackCall(done.type(), done.response());
        }
        return replied(reply);
    }

    private void trackCall(String type, Response.Builder response) {
        if (response.hasCallStarted()) {
            activeCall = response.getCallStarted().getCallId();
        } else if (response.hasCallJoined()) {
            activeCall = response.getCallJoined().getCallId();
        } else if (response.hasCallUpdated() && (type.equals("leave_call") || type.equals("end_call"))
                && response.getCallUpdated().getCallId().equals(activeCall)) {
            activeCall = null;
        }
    }

    private Behavior<Command> replied(ServerMessage reply) {
        send(reply);
        inFlight--;
        if (pendingAck != null) {
            pendingAck.tell(Ack.INSTANCE);
            pendingAck = null;
        }
        return this;
    }

    private Behavior<Command> onFromCluster(FromCluster message) {
        DeviceMessage pushed = message.message();
        if (pushed instanceof DeviceMessage.Deliver deliver) {
            push(Push.newBuilder().setEnvelope(envelope(deliver.envelope())));
        } else if (pushed instanceof DeviceMessage.QueueEmpty) {
            push(Push.newBuilder().setQueueEmpty(QueueEmpty.getDefaultInstance()));
        } else if (pushed instanceof DeviceMessage.KeyStockLow low) {
            push(Push.newBuilder().setPreKeyStockLow(PreKeyStockLow.newBuilder().setKeyStock(ClientApi.keyStock(low.stock()))));
        } else if (pushed instanceof DeviceMessage.Provisioning provisioning) {
            push(Push.newBuilder().setProvisioningMessage(ProvisioningMessage.newBuilder()
                    .setChannelId(provisioning.channelId()).setBody(com.google.protobuf.ByteString.copyFrom(provisioning.body()))));
        } else if (pushed instanceof DeviceMessage.IncomingCall incoming) {
            // A device in another call makes its account busy; it still hears of the attempt, for its history.
            if (activeCall != null && !activeCall.equals(incoming.callId())) {
                api.calls().reportBusy(device, incoming.callId());
            }
            push(CallPushes.push(incoming));
        } else if (pushed instanceof DeviceMessage.CallProbe probe) {
            if (probe.callId().equals(activeCall)) {
                api.calls().stillHere(device, probe.callId());
            }
        } else if (pushed instanceof DeviceMessage.CallEnded ended) {
            if (ended.callId().equals(activeCall)) {
                activeCall = null;
            }
            push(CallPushes.push(pushed));
        } else if (CallPushes.isCallPush(pushed)) {
            push(CallPushes.push(pushed));
        } else if (pushed instanceof DeviceMessage.Linked linked) {
            // Watching an entity again (it answered a repeated Connect) is harmless: same message.
            getContext().watchWith(linked.entity(), new LinkLost());
            if (linked.kind() == DeviceMessage.LinkKind.MAILBOX) {
                mailboxLinkedAttempt = connectAttempt;
            }
        } else if (pushed instanceof DeviceMessage.Replaced) {
            return close("this device connected again elsewhere");
        } else if (pushed instanceof DeviceMessage.Removed) {
            return close("this device was removed from its account");
        } else if (pushed instanceof DeviceMessage.AccountClosed closed) {
            return close(closed.reason());
        }
        return this;
    }

    private Behavior<Command> close(String reason) {
        if (!closing) {
            closing = true;
            push(Push.newBuilder().setClosing(Closing.newBuilder().setReason(reason)));
            out.tell(new Outbound.Close());
        }
        return this;
    }

    private Behavior<Command> stop() {
        if (device != null && activeCall != null) {
            api.calls().connectionLost(device, activeCall);
        }
        if (device != null) {
            sharding.entityRefFor(UserSession.TYPE_KEY, device.accountId())
                    .tell(new UserSession.Disconnect(device.deviceId(), pushTarget));
            metrics.deviceDisconnected();
        }
        registry.remove(getContext().getSelf());
        metrics.connectionClosed();
        out.tell(new Outbound.Close());
        return Behaviors.stopped();
    }

    private void push(Push.Builder push) {
        send(ServerMessage.newBuilder().setPush(push).build());
    }

    private void send(ServerMessage message) {
        out.tell(new Outbound.Frame(message));
    }

    // Package-private for the push-encoding microbenchmark (ops/jmh, GatewayFrames).
    static Envelope envelope(StoredEnvelope stored) {
        return Envelope.newBuilder()
                .setId(EnvelopeIds.toBytes(stored.id()))
                .setSourceAddress(stored.sourceAddress())
                .setSourceDevice(stored.sourceDevice())
                .setTypeValue(EnvelopeType.forNumber(stored.type()) == null ? EnvelopeType.OPAQUE_VALUE : stored.type())
                .setClientTimestamp(stored.clientTimestamp())
                .setServerTimestamp(stored.serverTimestamp())
                .setContent(com.google.protobuf.ByteString.copyFrom(stored.content()))
                .setUrgent(stored.urgent())
                .build();
    }

    private ServerMessage error(long requestId, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        Error.Builder error = Error.newBuilder();
        if (cause instanceof ApiException api) {
            error.setCode(api.code()).setMessage(api.getMessage()).setRetryAfterSeconds((int) api.retryAfterSeconds());
            if (api.mismatchedDevices() != null) {
                error.setMismatchedDevices(api.mismatchedDevices());
            }
            if (api.ownMismatchedDevices() != null) {
                error.setOwnMismatchedDevices(api.ownMismatchedDevices());
            }
        } else if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
            error.setCode(ErrorCode.UNAVAILABLE).setMessage("the relay did not answer in time: retry").setRetryAfterSeconds(1);
        } else {
            getContext().getLog().error("request {} failed", requestId, cause);
            error.setCode(ErrorCode.INTERNAL_ERROR).setMessage("the relay failed to handle the request: retry");
        }
        return ServerMessage.newBuilder().setResponse(Response.newBuilder().setRequestId(requestId).setError(error)).build();
    }

    private static String outcome(ServerMessage message) {
        return message.getResponse().hasError() ? message.getResponse().getError().getCode().name() : "OK";
    }
}
