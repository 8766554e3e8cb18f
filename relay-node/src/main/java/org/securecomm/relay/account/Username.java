package org.securecomm.relay.account;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.securecomm.relay.CborSerializable;

/**
 * A username, keyed by itself: which account owns it. Sharding runs one instance per username
 * in the cluster, so the first claim wins and a second account can never take it.
 */
public final class Username extends EventSourcedBehavior<Username.Command, Username.Claimed, Username.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Username");

    public sealed interface Command extends CborSerializable {
    }

    /** Claiming again for the owner is a no-op that answers {@code true}. */
    public record Claim(String accountId, ActorRef<ClaimResult> replyTo) implements Command {
    }

    public record ClaimResult(boolean granted) implements CborSerializable {
    }

    public record Resolve(ActorRef<Owner> replyTo) implements Command {
    }

    /** {@code accountId} is null when nobody owns the username. */
    public record Owner(String accountId) implements CborSerializable {
    }

    /** An operator deleted the owning account: the username is free again. */
    public record Release(String accountId, ActorRef<ClaimResult> replyTo) implements Command {
    }

    /** {@code accountId} null: released (the owning account was deleted). */
    public record Claimed(String accountId) implements CborSerializable {
    }

    public record State(String accountId) implements CborSerializable {
    }

    public static Behavior<Command> create(String username) {
        return new Username(username);
    }

    private Username(String username) {
        super(PersistenceId.of(TYPE_KEY.name(), username));
    }

    @Override
    public State emptyState() {
        return new State(null);
    }

    @Override
    public CommandHandler<Command, Claimed, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Claim.class, this::onClaim)
                .onCommand(Resolve.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Owner(state.accountId())))
                .onCommand(Release.class, (state, cmd) -> cmd.accountId().equals(state.accountId())
                        ? Effect().persist(new Claimed(null)).thenReply(cmd.replyTo(), s -> new ClaimResult(true))
                        : Effect().reply(cmd.replyTo(), new ClaimResult(false)))
                .build();
    }

    private Effect<Claimed, State> onClaim(State state, Claim cmd) {
        if (state.accountId() == null) {
            return Effect().persist(new Claimed(cmd.accountId())).thenReply(cmd.replyTo(), s -> new ClaimResult(true));
        }
        return Effect().reply(cmd.replyTo(), new ClaimResult(state.accountId().equals(cmd.accountId())));
    }

    @Override
    public EventHandler<State, Claimed> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(Claimed.class, (state, e) -> new State(e.accountId()))
                .build();
    }
}
