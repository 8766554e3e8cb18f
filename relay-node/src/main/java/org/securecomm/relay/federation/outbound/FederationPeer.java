package org.securecomm.relay.federation.outbound;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.Transaction;
import org.securecomm.protocol.federation.v1.TransactionResult;
import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.federation.ErrorText;
import org.securecomm.relay.federation.FederationQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable outbound queue to one remote domain (entity id = the domain). A PDU is persisted
 * with the next sequence number before anyone hears of it, then sent in order, in batches, at
 * most one transaction in flight, until the peer acknowledges it ({@code applied_through}).
 * Failed attempts back off exponentially and never drop anything; only expired PDUs are dropped
 * (the protocol allows the gap). Sharded with remember-entities, so a queue with items is
 * restarted after a node restart or rebalance without new traffic; an empty idle queue
 * passivates itself and is forgotten.
 */
public final class FederationPeer extends EventSourcedBehavior<FederationPeer.Command, FederationPeer.Event, PeerQueue> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "FederationPeer");

    private static final Logger log = LoggerFactory.getLogger(FederationPeer.class);

    // A snapshot holds the whole queue. A peer down for hours can have a queue far larger than a
    // Cassandra mutation (16 MiB by default), and rewriting a long queue every 100 events would
    // cost quadratic writes; so snapshots are taken only while the queue is small, and no more
    // often than once per queue length of events. Replay is then bounded by the backlog itself.
    static final long SNAPSHOT_MAX_BYTES = 4L * 1024 * 1024;
    static final int SNAPSHOT_MIN_EVENTS = 100;
    /** A transport that never answers must not stall the queue forever. */
    static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(2);
    private static final String DELIVERY_TIMEOUT_KEY = "delivery-timeout";

    /** What happens to the queue, for metrics; called on the actor's thread. */
    public interface Listener {
        void queueChanged(String domain, int depth, long bytes, long oldestEnqueuedAtMillis);

        void delivered(String domain, int pdus, long atMillis);

        void attemptFailed(String domain);

        void expired(String domain, int pdus);

        /** The entity stopped on this node (passivated or moved): its gauges go. */
        void stopped(String domain);
    }

    // ------------------------------------------------------------------ protocol

    public sealed interface Command extends CborSerializable {
    }

    /**
     * Queue {@code pdu} (a serialized Pdu; a sequence number in it is replaced). The answer waits at
     * most {@code waitForOutcome} for the peer's result (zero: answer Queued once persisted).
     */
    public record Enqueue(byte[] pdu, Duration waitForOutcome, ActorRef<EnqueueReply> replyTo) implements Command {
    }

    public record GetStatus(ActorRef<PeerStatus> replyTo) implements Command {
    }

    // Local only (never crosses the network): results of this entity's own transport calls and timers.
    private record DeliveryCompleted(long attempt, TransactionResult result) implements Command {
    }

    private record DeliveryFailed(long attempt, String error, Optional<Duration> retryAfter) implements Command {
    }

    private record WaitExpired(long sequence) implements Command {
    }

    private enum Tick implements Command { SEND, RETRY, IDLE }

    // ------------------------------------------------------------------ events

    public sealed interface Event extends CborSerializable {
    }

    /** {@code pdu} is the serialized Pdu without its sequence number. */
    public record Queued(long sequence, long enqueuedAtMillis, long expiresAtMillis, byte[] pdu) implements Event {
    }

    /** The peer applied everything up to {@code appliedThrough} (OK or refused). */
    public record Acknowledged(long appliedThrough, long atMillis) implements Event {
    }

    /** Dropped unsent: their {@code expires_at_millis} passed. */
    public record Expired(List<Long> sequences) implements Event {
    }

    // ------------------------------------------------------------------ behaviour

    /** Collaborators shared by every peer entity of a node. */
    public record Dependencies(PeerQueueSettings settings, PeerTransport transport, FailureReporter failures, Listener listener,
                               JournalPruner pruner, Clock clock) {
    }

    public static Behavior<Command> create(String domain, ActorRef<ClusterSharding.ShardCommand> shard, Dependencies dependencies) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new FederationPeer(domain, context, timers, shard, dependencies)));
    }

    private final String domain;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final PeerQueueSettings settings;
    private final PeerTransport transport;
    private final FailureReporter failures;
    private final Listener listener;
    private final JournalPruner pruner;
    private final Clock clock;
    private final Backoff backoff;

    // Soft state, rebuilt empty after a restart: whoever waited then was answered by its ask timeout.
    private final Map<Long, ActorRef<EnqueueReply>> waiters = new HashMap<>();
    private boolean inFlight;
    private long attempt;
    private long inFlightThrough;
    private int failuresInARow;
    private String lastError = "";
    private long nextAttemptAtMillis;
    private long lastSnapshotSequenceNr;

    private FederationPeer(String domain, ActorContext<Command> context, TimerScheduler<Command> timers,
                           ActorRef<ClusterSharding.ShardCommand> shard, Dependencies dependencies) {
        super(PersistenceId.of(TYPE_KEY.name(), domain));
        this.domain = domain;
        this.context = context;
        this.timers = timers;
        this.shard = shard;
        this.settings = dependencies.settings();
        this.transport = dependencies.transport();
        this.failures = dependencies.failures();
        this.listener = dependencies.listener();
        this.pruner = dependencies.pruner();
        this.clock = dependencies.clock();
        this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff(), () -> ThreadLocalRandom.current().nextDouble());
        context.setReceiveTimeout(settings.idleTimeout(), Tick.IDLE);
    }

    @Override
    public PeerQueue emptyState() {
        return new PeerQueue();
    }

    @Override
    public boolean shouldSnapshot(PeerQueue state, Event event, long sequenceNr) {
        if (sequenceNr - lastSnapshotSequenceNr < Math.max(SNAPSHOT_MIN_EVENTS, state.size()) || state.bytes() > SNAPSHOT_MAX_BYTES) {
            return false;
        }
        lastSnapshotSequenceNr = sequenceNr;
        return true;
    }

    @Override
    public SignalHandler<PeerQueue> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    lastSnapshotSequenceNr = lastSequenceNumber(context);
                    queueChanged(state);
                    if (state.lastSuccessAtMillis() != 0) {
                        listener.delivered(domain, 0, state.lastSuccessAtMillis()); // restores the last-success gauge
                    }
                    sendSoon();
                })
                .onSignal(SnapshotCompleted.class, (state, completed) -> {
                    if (pruner != null) {
                        pruner.afterSnapshot(persistenceId().id());
                    }
                })
                .onSignal(PostStop.instance(), state -> listener.stopped(domain))
                .build();
    }

    @Override
    public CommandHandler<Command, Event, PeerQueue> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Enqueue.class, this::onEnqueue)
                .onCommand(GetStatus.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new PeerStatus(domain, state.size(), state.bytes(),
                        state.oldestEnqueuedAtMillis(), state.lastSuccessAtMillis(), lastError, nextAttemptAtMillis, inFlight)))
                .onCommand(DeliveryCompleted.class, this::onDeliveryCompleted)
                .onCommand(DeliveryFailed.class, (state, failed) -> failed.attempt() == attempt && inFlight
                        ? onFailure(failed.error(), failed.retryAfter())
                        : Effect().none())
                .onCommand(WaitExpired.class, (state, expired) -> {
                    answerQueued(expired.sequence());
                    return Effect().none();
                })
                .onCommand(Tick.class, this::onTick)
                .build();
    }

    private Effect<Event, PeerQueue> onEnqueue(PeerQueue state, Enqueue cmd) {
        Pdu pdu;
        try {
            pdu = Pdu.parseFrom(cmd.pdu());
        } catch (InvalidProtocolBufferException e) {
            // Only a bug of this node can get here (FederationQueues serializes a Pdu); the asker times out.
            log.error("federation to {}: refusing an enqueue whose bytes are not a Pdu", domain);
            return Effect().none();
        }
        byte[] stored = pdu.getSequence() == 0 ? cmd.pdu() : pdu.toBuilder().clearSequence().build().toByteArray();
        if (state.size() >= settings.maxQueueItems() || state.bytes() + stored.length > settings.maxQueueBytes()) {
            return Effect().reply(cmd.replyTo(), new EnqueueReply.QueueFull());
        }
        long sequence = state.lastSequence() + 1;
        return Effect().persist(new Queued(sequence, clock.millis(), pdu.getExpiresAtMillis(), stored)).thenRun(s -> {
            queueChanged(s);
            if (cmd.waitForOutcome().isNegative() || cmd.waitForOutcome().isZero()) {
                cmd.replyTo().tell(new EnqueueReply.Queued(sequence));
            } else {
                waiters.put(sequence, cmd.replyTo());
                timers.startSingleTimer(waitKey(sequence), new WaitExpired(sequence), cmd.waitForOutcome());
            }
            sendSoon();
        });
    }

    private Effect<Event, PeerQueue> onTick(PeerQueue state, Tick tick) {
        switch (tick) {
            case RETRY:
                nextAttemptAtMillis = 0;
                return send(state);
            case SEND:
                return send(state);
            default: // IDLE
                if (state.isEmpty() && !inFlight && waiters.isEmpty()) {
                    // With remember-entities this also removes the entity from the remembered set.
                    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
                }
                return Effect().none();
        }
    }

    /** Starts the next transaction unless one is in flight, a retry is pending or nothing is queued. */
    private Effect<Event, PeerQueue> send(PeerQueue state) {
        if (inFlight || nextAttemptAtMillis != 0 || state.isEmpty()) {
            return Effect().none();
        }
        List<Long> expired = state.expiredAt(clock.millis());
        if (!expired.isEmpty()) {
            // Persisted, so an expired PDU is not sent after a restart either.
            return Effect().persist(new Expired(expired)).thenRun(s -> {
                for (long sequence : expired) {
                    answerQueued(sequence);
                }
                listener.expired(domain, expired.size());
                queueChanged(s);
                sendSoon();
            });
        }
        List<QueuedPdu> batch = state.nextBatch(settings.maxBatchPdus(), settings.maxBatchBytes());
        Transaction.Builder transaction = Transaction.newBuilder();
        batch.forEach(item -> transaction.addPdus(withSequence(item)));
        inFlight = true;
        inFlightThrough = batch.get(batch.size() - 1).sequence();
        long thisAttempt = ++attempt;
        timers.startSingleTimer(DELIVERY_TIMEOUT_KEY,
                new DeliveryFailed(thisAttempt, "no answer within " + DELIVERY_TIMEOUT.toSeconds() + " s", Optional.empty()), DELIVERY_TIMEOUT);
        CompletionStage<TransactionResult> answer;
        try {
            answer = transport.deliver(domain, transaction.build());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        context.pipeToSelf(answer, (result, error) -> error == null && result != null
                ? new DeliveryCompleted(thisAttempt, result)
                : failed(thisAttempt, error));
        return Effect().none();
    }

    private static DeliveryFailed failed(long attempt, Throwable error) {
        if (error == null) {
            return new DeliveryFailed(attempt, "the transport answered nothing", Optional.empty());
        }
        Optional<Duration> retryAfter = ErrorText.cause(error) instanceof RetryHint hint ? hint.retryAfter() : Optional.empty();
        return new DeliveryFailed(attempt, ErrorText.of(error), retryAfter);
    }

    private Effect<Event, PeerQueue> onDeliveryCompleted(PeerQueue state, DeliveryCompleted completed) {
        if (completed.attempt() != attempt || !inFlight) {
            return Effect().none(); // answered after its timeout: the items are sent again, the peer de-duplicates
        }
        inFlight = false;
        timers.cancel(DELIVERY_TIMEOUT_KEY);
        // A peer cannot acknowledge what it was never sent.
        long through = Math.min(completed.result().getAppliedThrough(), inFlightThrough);
        List<QueuedPdu> done = state.upTo(through);
        if (done.isEmpty()) {
            return onFailure("the peer applied none of the transaction (applied_through " + completed.result().getAppliedThrough() + ")",
                    Optional.empty());
        }
        Map<Long, PduResult> results = completed.result().getResultsList().stream()
                .collect(Collectors.toMap(PduResult::getSequence, Function.identity(), (a, b) -> a));
        long now = clock.millis();
        return Effect().persist(new Acknowledged(through, now)).thenRun(s -> {
            if (failuresInARow > 0) {
                log.info("federation to {}: delivering again after {} failed attempt(s)", domain, failuresInARow);
            }
            failuresInARow = 0;
            lastError = "";
            for (QueuedPdu item : done) {
                // The results only cover PDUs applied by this request; anything else up to applied_through was applied OK.
                PduResult result = results.getOrDefault(item.sequence(), PduResult.newBuilder().setSequence(item.sequence()).build());
                ActorRef<EnqueueReply> waiter = waiters.remove(item.sequence());
                if (waiter != null) {
                    timers.cancel(waitKey(item.sequence()));
                    waiter.tell(new EnqueueReply.Delivered(item.sequence(), result.toByteArray()));
                } else if (result.getError() != ErrorCode.ERROR_CODE_UNSPECIFIED) {
                    failures.report(domain, withSequence(item), result);
                }
            }
            listener.delivered(domain, done.size(), now);
            queueChanged(s);
            sendSoon();
        });
    }

    private Effect<Event, PeerQueue> onFailure(String error, Optional<Duration> retryAfter) {
        inFlight = false;
        timers.cancel(DELIVERY_TIMEOUT_KEY);
        failuresInARow++;
        lastError = error;
        listener.attemptFailed(domain);
        if (failuresInARow == 1) {
            log.warn("federation to {}: delivery failed, retrying with backoff until it works: {}", domain, error);
        }
        Duration delay = backoff.delay(failuresInARow, retryAfter);
        nextAttemptAtMillis = clock.millis() + delay.toMillis();
        timers.startSingleTimer(Tick.RETRY, Tick.RETRY, delay);
        return Effect().none();
    }

    private void answerQueued(long sequence) {
        ActorRef<EnqueueReply> waiter = waiters.remove(sequence);
        if (waiter != null) {
            timers.cancel(waitKey(sequence));
            waiter.tell(new EnqueueReply.Queued(sequence));
        }
    }

    private void sendSoon() {
        if (!inFlight && nextAttemptAtMillis == 0) {
            context.getSelf().tell(Tick.SEND);
        }
    }

    private void queueChanged(PeerQueue state) {
        listener.queueChanged(domain, state.size(), state.bytes(), state.oldestEnqueuedAtMillis());
    }

    private static String waitKey(long sequence) {
        return "wait-" + sequence;
    }

    private static Pdu withSequence(QueuedPdu item) {
        try {
            return Pdu.parseFrom(item.pdu()).toBuilder().setSequence(item.sequence()).build();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a queued PDU no longer parses", e); // it parsed when enqueued
        }
    }

    @Override
    public EventHandler<PeerQueue, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Queued.class, (state, e) -> {
                    state.add(new QueuedPdu(e.sequence(), e.enqueuedAtMillis(), e.expiresAtMillis(), e.pdu()));
                    return state;
                })
                .onEvent(Acknowledged.class, (state, e) -> {
                    state.acknowledge(e.appliedThrough(), e.atMillis());
                    return state;
                })
                .onEvent(Expired.class, (state, e) -> {
                    state.removeAll(e.sequences());
                    return state;
                })
                .build();
    }
}
