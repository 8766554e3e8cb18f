package org.securecomm.relay.mailbox;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.session.DeviceMessage;

/**
 * The queue of sealed envelopes for one device, keyed {@code accountId.deviceId}. An envelope is
 * persisted before the sender hears "accepted", pushed to the device's connection when one is
 * attached (at most {@code pushWindow} unacknowledged at a time), and removed only when the device
 * acknowledges it or it expires. Delivery is at-least-once: after a reconnect every
 * unacknowledged envelope is pushed again and the device de-duplicates by envelope id.
 */
public final class Mailbox extends EventSourcedBehavior<Mailbox.Command, Mailbox.Event, MailboxState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Mailbox");

    /** @param snapshotEvery events between snapshots of the queue (each deletes the events before it) */
    public record Settings(int maxEnvelopes, long maxBytes, Duration envelopeTtl, int pushWindow, Duration idleTimeout,
                           Duration expiryCheckInterval, int snapshotEvery) {
        public Settings {
            if (snapshotEvery < 1) {
                throw new IllegalArgumentException("securecomm.mailbox.snapshot-every must be at least 1, got " + snapshotEvery);
            }
        }
    }

    /** Listens to what happens to envelopes, for metrics. */
    public interface Listener {
        void enqueued(int bytes);

        void pushed();

        void acknowledged(int count);

        void expired(int count);

        /** A persist (enqueue) took this long from the command to the journal's confirmation. */
        default void persisted(long nanos) {
        }

        /**
         * The mailbox {@code entityId} on this node now holds this many envelopes (0 timestamp when
         * empty), and its device is connected or not.
         */
        default void queueChanged(String entityId, int envelopes, long oldestServerTimestamp, boolean deviceConnected) {
        }

        /** The mailbox stopped on this node (passivated, handed off, node stopping). */
        default void stopped(String entityId) {
        }
    }

    public static String entityId(String accountId, int deviceId) {
        return accountId + "." + deviceId;
    }

    // ------------------------------------------------------------------ protocol

    public sealed interface Command extends CborSerializable {
    }

    public record Enqueue(StoredEnvelope envelope, ActorRef<EnqueueResult> replyTo) implements Command {
    }

    public enum EnqueueResult implements CborSerializable { ACCEPTED, FULL }

    public record Acknowledge(List<UUID> envelopeIds, ActorRef<Acknowledged> replyTo) implements Command {
    }

    public record Acknowledged(int removed) implements CborSerializable {
    }

    /** Push to this connection from now on (replacing any other). */
    public record Attach(ActorRef<DeviceMessage> connection) implements Command {
    }

    public record Detach(ActorRef<DeviceMessage> connection) implements Command {
    }

    /** Drops every queued envelope: the device is gone. */
    public record Purge() implements Command {
    }

    public record GetStats(ActorRef<Stats> replyTo) implements Command {
    }

    public record Stats(int envelopes, long bytes, long oldestServerTimestamp) implements CborSerializable {
    }

    private enum Tick implements Command { EXPIRE, IDLE, FLUSH }

    // ------------------------------------------------------------------ events

    public sealed interface Event extends CborSerializable {
    }

    public record EnvelopeEnqueued(StoredEnvelope envelope) implements Event {
    }

    public record EnvelopesAcknowledged(List<UUID> envelopeIds) implements Event {
    }

    public record EnvelopesExpired(List<UUID> envelopeIds) implements Event {
    }

    // ------------------------------------------------------------------ behaviour

    public static Behavior<Command> create(String entityId, ActorRef<ClusterSharding.ShardCommand> shard, Settings settings,
                                           Listener listener, Clock clock) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new Mailbox(entityId, context, timers, shard, settings, listener, clock)));
    }

    private final String entityId;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final Settings settings;
    private final Listener listener;
    private final Clock clock;

    // Soft state: where to push and what is pushed but not yet acknowledged. Rebuilt on attach.
    private ActorRef<DeviceMessage> connection;
    private final Set<UUID> inFlight = new HashSet<>();
    // The stored envelopes not pushed yet, oldest first (only while a connection is attached).
    // Pushed envelopes are always a prefix of the queue, so this is its tail: pushing the next one
    // costs O(1) instead of a walk over the whole queue. Entries acknowledged or expired meanwhile
    // are skipped when they come up.
    private final ArrayDeque<StoredEnvelope> unpushed = new ArrayDeque<>();
    private boolean queueEmptyOwed;
    private long bytes;

    // Enqueues accepted for writing but not yet written. They are collected until a FLUSH the
    // mailbox sends itself is handled, i.e. until every command already waiting was seen, and then
    // persisted together: a busy mailbox writes one journal batch per round trip instead of one
    // row per round trip. Each sender still hears ACCEPTED only once its envelope is written.
    private final LinkedHashMap<UUID, PendingEnqueue> pending = new LinkedHashMap<>();
    private long pendingBytes;
    private boolean flushOwed;

    /** At most this many envelopes are written as one journal batch (one Cassandra mutation). */
    private static final int MAX_WRITE_BATCH = 64;
    /**
     * A FLUSH also comes from a timer after this long: Pekko drops commands beyond its stash
     * capacity while a write is in progress, and a dropped FLUSH must not leave enqueues unwritten.
     */
    private static final Duration FLUSH_FALLBACK = Duration.ofSeconds(1);
    private static final String FLUSH_TIMER = "flush";

    private record PendingEnqueue(StoredEnvelope envelope, List<ActorRef<EnqueueResult>> replyTo, long startedNanos) {
    }

    private Mailbox(String entityId, ActorContext<Command> context, TimerScheduler<Command> timers,
                    ActorRef<ClusterSharding.ShardCommand> shard, Settings settings, Listener listener, Clock clock) {
        super(PersistenceId.of(TYPE_KEY.name(), entityId));
        this.entityId = entityId;
        this.context = context;
        this.timers = timers;
        this.shard = shard;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        timers.startTimerWithFixedDelay(Tick.EXPIRE, settings.expiryCheckInterval());
        context.setReceiveTimeout(settings.idleTimeout(), Tick.IDLE);
    }

    @Override
    public MailboxState emptyState() {
        return new MailboxState();
    }

    // Every snapshot-every events the queue is snapshotted and older events deleted, so
    // acknowledged envelopes leave Cassandra and recovery stays short.
    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public SignalHandler<MailboxState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    bytes = state.envelopes().stream().mapToLong(e -> e.content().length).sum();
                    reportQueue(state);
                    context.getSelf().tell(Tick.EXPIRE);
                })
                .onSignal(PostStop.instance(), state -> listener.stopped(entityId))
                .build();
    }

    @Override
    public CommandHandler<Command, Event, MailboxState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Enqueue.class, this::onEnqueue)
                .onCommand(Acknowledge.class, this::onAcknowledge)
                .onCommand(Attach.class, (state, cmd) -> {
                    connection = cmd.connection();
                    connection.tell(new DeviceMessage.Linked(context.getSelf(), DeviceMessage.LinkKind.MAILBOX));
                    inFlight.clear();
                    unpushed.clear();
                    unpushed.addAll(state.envelopes());
                    queueEmptyOwed = true;
                    context.cancelReceiveTimeout();
                    reportQueue(state);
                    pushMore(state);
                    return Effect().none();
                })
                .onCommand(Detach.class, (state, cmd) -> {
                    if (cmd.connection().equals(connection)) {
                        connection = null;
                        inFlight.clear();
                        unpushed.clear();
                        reportQueue(state);
                        context.setReceiveTimeout(settings.idleTimeout(), Tick.IDLE);
                    }
                    return Effect().none();
                })
                .onCommand(Purge.class, (state, cmd) -> {
                    if (!pending.isEmpty()) {
                        context.getSelf().tell(cmd); // handled after the pending enqueues are written, so it drops them too
                        return Effect().none();
                    }
                    return state.size() == 0
                        ? Effect().none()
                        : Effect().persist(new EnvelopesAcknowledged(state.envelopesInOrder().stream().map(StoredEnvelope::id).toList()))
                                .thenRun(this::reportQueue);
                })
                .onCommand(GetStats.class, (state, cmd) ->
                        Effect().reply(cmd.replyTo(), new Stats(state.size(), bytes, state.oldestServerTimestamp())))
                .onCommand(Tick.class, this::onTick)
                .build();
    }

    private Effect<Event, MailboxState> onEnqueue(MailboxState state, Enqueue cmd) {
        UUID id = cmd.envelope().id();
        if (state.contains(id)) {
            return Effect().reply(cmd.replyTo(), EnqueueResult.ACCEPTED); // a retried enqueue
        }
        PendingEnqueue waiting = pending.get(id);
        if (waiting != null) {
            waiting.replyTo().add(cmd.replyTo()); // a retry of an enqueue not yet written: answered with it
            return Effect().none();
        }
        int length = cmd.envelope().content().length;
        if (state.size() + pending.size() >= settings.maxEnvelopes() || bytes + pendingBytes + length > settings.maxBytes()) {
            return Effect().reply(cmd.replyTo(), EnqueueResult.FULL);
        }
        List<ActorRef<EnqueueResult>> replyTo = new ArrayList<>(1);
        replyTo.add(cmd.replyTo());
        pending.put(id, new PendingEnqueue(cmd.envelope(), replyTo, System.nanoTime()));
        pendingBytes += length;
        if (!flushOwed) {
            requestFlush();
        }
        return Effect().none();
    }

    private void requestFlush() {
        flushOwed = true;
        context.getSelf().tell(Tick.FLUSH);
        timers.startSingleTimer(FLUSH_TIMER, Tick.FLUSH, FLUSH_FALLBACK);
    }

    /** Writes the pending enqueues (up to {@link #MAX_WRITE_BATCH}) as one batch, then answers each sender. */
    private Effect<Event, MailboxState> flush() {
        flushOwed = false;
        if (pending.isEmpty()) {
            return Effect().none();
        }
        List<PendingEnqueue> batch = new ArrayList<>(Math.min(pending.size(), MAX_WRITE_BATCH));
        List<Event> events = new ArrayList<>(batch.size());
        var iterator = pending.values().iterator();
        while (iterator.hasNext() && batch.size() < MAX_WRITE_BATCH) {
            PendingEnqueue next = iterator.next();
            iterator.remove();
            pendingBytes -= next.envelope().content().length;
            batch.add(next);
            events.add(new EnvelopeEnqueued(next.envelope()));
        }
        if (!pending.isEmpty()) {
            requestFlush(); // handled after this batch is written
        }
        return Effect().persist(events).thenRun(s -> {
            long now = System.nanoTime();
            for (PendingEnqueue written : batch) {
                listener.persisted(now - written.startedNanos());
                listener.enqueued(written.envelope().content().length);
                if (connection != null) {
                    unpushed.add(written.envelope());
                }
                written.replyTo().forEach(replyTo -> replyTo.tell(EnqueueResult.ACCEPTED));
            }
            reportQueue(s);
            pushMore(s);
        });
    }

    private Effect<Event, MailboxState> onAcknowledge(MailboxState state, Acknowledge cmd) {
        List<UUID> known = cmd.envelopeIds().stream().distinct().filter(state::contains).toList();
        if (known.isEmpty()) {
            return Effect().reply(cmd.replyTo(), new Acknowledged(0));
        }
        return Effect().persist(new EnvelopesAcknowledged(known))
                .thenRun(s -> {
                    known.forEach(inFlight::remove);
                    listener.acknowledged(known.size());
                    reportQueue(s);
                    pushMore(s);
                })
                .thenReply(cmd.replyTo(), s -> new Acknowledged(known.size()));
    }

    private Effect<Event, MailboxState> onTick(MailboxState state, Tick tick) {
        if (tick == Tick.FLUSH) {
            return flush();
        }
        if (tick == Tick.IDLE) {
            if (connection == null && pending.isEmpty()) {
                shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
            }
            return Effect().none();
        }
        List<UUID> expired = state.expiredAt(clock.millis() - settings.envelopeTtl().toMillis());
        if (expired.isEmpty()) {
            return Effect().none();
        }
        return Effect().persist(new EnvelopesExpired(expired)).thenRun(s -> {
            expired.forEach(inFlight::remove);
            listener.expired(expired.size());
            reportQueue(s);
            pushMore(s);
        });
    }

    private void reportQueue(MailboxState state) {
        listener.queueChanged(entityId, state.size(), state.oldestServerTimestamp(), connection != null);
    }

    /** Pushes the oldest not-yet-pushed envelopes until the window is full. */
    private void pushMore(MailboxState state) {
        if (connection == null) {
            return;
        }
        while (!unpushed.isEmpty()) {
            if (inFlight.size() >= settings.pushWindow()) {
                return;
            }
            StoredEnvelope envelope = unpushed.poll();
            if (state.contains(envelope.id()) && inFlight.add(envelope.id())) {
                connection.tell(new DeviceMessage.Deliver(envelope));
                listener.pushed();
            }
        }
        if (queueEmptyOwed) {
            queueEmptyOwed = false;
            connection.tell(new DeviceMessage.QueueEmpty());
        }
    }

    @Override
    public EventHandler<MailboxState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(EnvelopeEnqueued.class, (state, e) -> {
                    state.add(e.envelope());
                    bytes += e.envelope().content().length;
                    return state;
                })
                .onEvent(EnvelopesAcknowledged.class, (state, e) -> removeAll(state, e.envelopeIds()))
                .onEvent(EnvelopesExpired.class, (state, e) -> removeAll(state, e.envelopeIds()))
                .build();
    }

    private MailboxState removeAll(MailboxState state, List<UUID> ids) {
        bytes -= state.remove(ids);
        return state;
    }
}
