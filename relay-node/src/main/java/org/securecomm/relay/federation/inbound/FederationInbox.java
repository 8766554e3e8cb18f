package org.securecomm.relay.federation.inbound;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.TransactionResult;
import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.federation.ErrorText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the transactions of one origin domain (entity id = the origin) exactly once and in
 * order: a PDU is applied only when its sequence number is above every one applied before, one
 * at a time (other transactions wait in the stash), and its result is persisted before the next
 * one starts. A retried transaction is answered with the results remembered from the first time.
 * When the applier fails, processing stops at that PDU and the answer's applied_through tells the
 * origin to send the rest again later.
 */
public final class FederationInbox extends EventSourcedBehavior<FederationInbox.Command, FederationInbox.Event, InboxState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "FederationInbox");

    private static final Logger log = LoggerFactory.getLogger(FederationInbox.class);
    /** An applier that never answers must not hold this origin's traffic forever. */
    static final Duration APPLY_TIMEOUT = Duration.ofMinutes(1);
    private static final String APPLY_TIMEOUT_KEY = "apply-timeout";

    // ------------------------------------------------------------------ protocol

    public sealed interface Command extends CborSerializable {
    }

    /**
     * Apply the PDUs of one verified transaction ({@code pdus}: serialized Pdus with their sequence
     * numbers). The answer is a serialized TransactionResult.
     */
    public record Apply(List<byte[]> pdus, ActorRef<byte[]> replyTo) implements Command {
    }

    // Local only: the applier's answer (or its timeout) for attempt number `attempt`.
    private record ApplierDone(long attempt, PduResult result, String error) implements Command {
    }

    private enum Tick implements Command { NEXT, IDLE }

    // ------------------------------------------------------------------ events

    public sealed interface Event extends CborSerializable {
    }

    /** {@code result}: the serialized PduResult answered for it (OK for a PDU that had expired). */
    public record Applied(long sequence, byte[] result) implements Event {
    }

    // ------------------------------------------------------------------ behaviour

    public static Behavior<Command> create(String origin, ActorRef<ClusterSharding.ShardCommand> shard, PduApplier applier,
                                           Duration idleTimeout, Clock clock) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new FederationInbox(origin, context, timers, shard, applier, idleTimeout, clock)));
    }

    /** The transaction being applied: its PDUs in ascending order and the results so far. */
    private static final class Job {
        final List<Pdu> pdus;
        final ActorRef<byte[]> replyTo;
        final List<PduResult> results = new ArrayList<>();
        int next;

        Job(List<Pdu> pdus, ActorRef<byte[]> replyTo) {
            this.pdus = pdus;
            this.replyTo = replyTo;
        }
    }

    private final String origin;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final PduApplier applier;
    private final Clock clock;
    private Job job;
    private long attempt;

    private FederationInbox(String origin, ActorContext<Command> context, TimerScheduler<Command> timers,
                            ActorRef<ClusterSharding.ShardCommand> shard, PduApplier applier, Duration idleTimeout, Clock clock) {
        super(PersistenceId.of(TYPE_KEY.name(), origin));
        this.origin = origin;
        this.context = context;
        this.timers = timers;
        this.shard = shard;
        this.applier = applier;
        this.clock = clock;
        context.setReceiveTimeout(idleTimeout, Tick.IDLE);
    }

    @Override
    public InboxState emptyState() {
        return new InboxState();
    }

    // The state is small (a thousand results at most): snapshot like Mailbox, dropping older events.
    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Command, Event, InboxState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Apply.class, this::onApply)
                .onCommand(ApplierDone.class, this::onApplierDone)
                .onCommand(Tick.class, (state, tick) -> {
                    if (tick == Tick.NEXT) {
                        return job == null ? Effect().none() : step(state);
                    }
                    if (job == null) {
                        shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
                    }
                    return Effect().none();
                })
                .build();
    }

    private Effect<Event, InboxState> onApply(InboxState state, Apply apply) {
        if (job != null) {
            return Effect().stash(); // one transaction at a time, in arrival order
        }
        TreeMap<Long, Pdu> bySequence = new TreeMap<>();
        for (byte[] bytes : apply.pdus()) {
            try {
                Pdu pdu = Pdu.parseFrom(bytes);
                bySequence.putIfAbsent(pdu.getSequence(), pdu);
            } catch (InvalidProtocolBufferException e) {
                // The routes parsed these already; stop before it, as for an applier failure.
                log.warn("federation from {}: a PDU of a transaction does not parse; applying the ones before it", origin);
                break;
            }
        }
        // Sequence 0 is no queued PDU (the routes reject such a transaction): never applied, no result.
        bySequence.remove(0L);
        job = new Job(new ArrayList<>(bySequence.values()), apply.replyTo());
        return step(state);
    }

    /** Answers duplicates from memory and moves to the next PDU to apply (or persist as expired). */
    private Effect<Event, InboxState> step(InboxState state) {
        while (job.next < job.pdus.size()) {
            Pdu pdu = job.pdus.get(job.next);
            long sequence = pdu.getSequence();
            if (sequence <= state.appliedThrough()) {
                job.results.add(state.resultOf(sequence));
                job.next++;
                continue;
            }
            if (pdu.getExpiresAtMillis() != 0 && pdu.getExpiresAtMillis() <= clock.millis()) {
                // Skipped, not applied (a call rang only so long), yet it counts as done.
                PduResult skipped = PduResult.newBuilder().setSequence(sequence).setMessage("expired").build();
                return persistResult(skipped);
            }
            CompletionStage<PduResult> applying;
            try {
                applying = applier.apply(origin, pdu);
            } catch (RuntimeException e) {
                applying = CompletableFuture.failedFuture(e);
            }
            long thisAttempt = ++attempt;
            timers.startSingleTimer(APPLY_TIMEOUT_KEY,
                    new ApplierDone(thisAttempt, null, "no answer within " + APPLY_TIMEOUT.toSeconds() + " s"), APPLY_TIMEOUT);
            context.pipeToSelf(applying, (result, error) -> new ApplierDone(thisAttempt, result, describe(result, error)));
            return Effect().none();
        }
        return finish(state);
    }

    private Effect<Event, InboxState> onApplierDone(InboxState state, ApplierDone done) {
        if (job == null || done.attempt() != attempt) {
            return Effect().none(); // the answer of an attempt that timed out
        }
        timers.cancel(APPLY_TIMEOUT_KEY);
        long sequence = job.pdus.get(job.next).getSequence();
        if (done.error() != null) {
            log.warn("federation from {}: applying PDU {} failed, the origin will send it again: {}", origin, sequence, done.error());
            return finish(state);
        }
        return persistResult(done.result().toBuilder().setSequence(sequence).build());
    }

    private Effect<Event, InboxState> persistResult(PduResult result) {
        job.results.add(result);
        job.next++;
        return Effect().persist(new Applied(result.getSequence(), result.toByteArray()))
                .thenRun(s -> context.getSelf().tell(Tick.NEXT));
    }

    private Effect<Event, InboxState> finish(InboxState state) {
        job.replyTo.tell(TransactionResult.newBuilder()
                .setAppliedThrough(state.appliedThrough())
                .addAllResults(job.results)
                .build().toByteArray());
        job = null;
        return Effect().unstashAll();
    }

    private static String describe(PduResult result, Throwable error) {
        if (error == null) {
            return result == null ? "the applier answered nothing" : null;
        }
        return ErrorText.of(error);
    }

    @Override
    public EventHandler<InboxState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Applied.class, (state, e) -> {
                    state.applied(e.sequence(), e.result());
                    return state;
                })
                .build();
    }
}
