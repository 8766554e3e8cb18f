package org.securecomm.relay.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.securecomm.relay.CborSerializable;

/**
 * One email address or phone number, keyed by its keyed hash (never the identifier itself): the
 * pending verification code (stored salted and hashed, with its expiry and failed attempts) and
 * the account the identifier is bound to. Because the account id is reserved here before the
 * account is created, every step of a registration can be retried without creating a second
 * account.
 */
public final class IdentifierRegistration
        extends EventSourcedBehavior<IdentifierRegistration.Command, IdentifierRegistration.Event, IdentifierRegistration.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "IdentifierRegistration");

    public record Settings(long codeTtlMillis, long resendAfterMillis, int maxAttempts) {
    }

    // ------------------------------------------------------------------ protocol

    public sealed interface Command extends CborSerializable {
    }

    public record IssueCode(String code, long nowMillis, ActorRef<IssueResult> replyTo) implements Command {
    }

    public sealed interface IssueResult extends CborSerializable {
    }

    public record CodeIssued(long expiresAtMillis) implements IssueResult {
    }

    public record ResendTooSoon(long retryAfterMillis) implements IssueResult {
    }

    public record VerifyCode(String code, long nowMillis, ActorRef<VerifyResult> replyTo) implements Command {
    }

    public sealed interface VerifyResult extends CborSerializable {
    }

    /** The code is right; {@code accountId} is the bound account, or the one reserved for it. */
    public record Verified(String accountId) implements VerifyResult {
    }

    public record WrongCode(int attemptsLeft) implements VerifyResult {
    }

    public record NoValidCode() implements VerifyResult {
    }

    public record AttemptsExhausted() implements VerifyResult {
    }

    /** Binds the identifier to the account and consumes the code. Idempotent. */
    public record Bind(String accountId, ActorRef<Bound> replyTo) implements Command {
    }

    public record Bound(String accountId) implements CborSerializable {
    }

    public record Lookup(ActorRef<Owner> replyTo) implements Command {
    }

    /** {@code accountId} is null when the identifier belongs to no account. */
    public record Owner(String accountId) implements CborSerializable {
    }

    /** An operator deleted the bound account: the identifier may register again (answers the previous owner). */
    public record Release(String accountId, ActorRef<Owner> replyTo) implements Command {
    }

    public record IdentifierReleased() implements Event {
    }

    // ------------------------------------------------------------------ events and state

    public sealed interface Event extends CborSerializable {
    }

    public record CodeCreated(byte[] salt, byte[] codeHash, long issuedAtMillis, long expiresAtMillis, String reservedAccountId)
            implements Event {
    }

    public record AttemptFailed() implements Event {
    }

    public record IdentifierBound(String accountId) implements Event {
    }

    /** {@code codeHash} is null when no code is pending. */
    public record State(String boundAccountId, String reservedAccountId, byte[] salt, byte[] codeHash,
                        long issuedAtMillis, long expiresAtMillis, int failedAttempts) implements CborSerializable {

        static final State EMPTY = new State(null, null, null, null, 0, 0, 0);
    }

    // ------------------------------------------------------------------ behaviour

    public static Behavior<Command> create(String identifierKey, Settings settings) {
        return new IdentifierRegistration(identifierKey, settings);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Settings settings;

    private IdentifierRegistration(String identifierKey, Settings settings) {
        super(PersistenceId.of(TYPE_KEY.name(), identifierKey));
        this.settings = settings;
    }

    @Override
    public State emptyState() {
        return State.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(20, 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(IssueCode.class, this::onIssueCode)
                .onCommand(VerifyCode.class, this::onVerifyCode)
                .onCommand(Bind.class, (state, cmd) -> cmd.accountId().equals(state.boundAccountId())
                        ? Effect().reply(cmd.replyTo(), new Bound(cmd.accountId()))
                        : Effect().persist(new IdentifierBound(cmd.accountId())).thenReply(cmd.replyTo(), s -> new Bound(cmd.accountId())))
                .onCommand(Lookup.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Owner(state.boundAccountId())))
                .onCommand(Release.class, (state, cmd) -> cmd.accountId().equals(state.boundAccountId())
                        ? Effect().persist(new IdentifierReleased()).thenReply(cmd.replyTo(), s -> new Owner(cmd.accountId()))
                        : Effect().reply(cmd.replyTo(), new Owner(state.boundAccountId())))
                .build();
    }

    private Effect<Event, State> onIssueCode(State state, IssueCode cmd) {
        if (state.codeHash() != null && cmd.nowMillis() < state.issuedAtMillis() + settings.resendAfterMillis()) {
            return Effect().reply(cmd.replyTo(), new ResendTooSoon(state.issuedAtMillis() + settings.resendAfterMillis() - cmd.nowMillis()));
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String reserved = state.boundAccountId() != null ? state.boundAccountId()
                : state.reservedAccountId() != null ? state.reservedAccountId() : UUID.randomUUID().toString();
        long expiresAt = cmd.nowMillis() + settings.codeTtlMillis();
        return Effect().persist(new CodeCreated(salt, hash(salt, cmd.code()), cmd.nowMillis(), expiresAt, reserved))
                .thenReply(cmd.replyTo(), s -> new CodeIssued(expiresAt));
    }

    private Effect<Event, State> onVerifyCode(State state, VerifyCode cmd) {
        if (state.codeHash() == null || cmd.nowMillis() >= state.expiresAtMillis()) {
            return Effect().reply(cmd.replyTo(), new NoValidCode());
        }
        if (state.failedAttempts() >= settings.maxAttempts()) {
            return Effect().reply(cmd.replyTo(), new AttemptsExhausted());
        }
        if (MessageDigest.isEqual(state.codeHash(), hash(state.salt(), cmd.code()))) {
            return Effect().reply(cmd.replyTo(), new Verified(state.reservedAccountId()));
        }
        int left = settings.maxAttempts() - state.failedAttempts() - 1;
        return Effect().persist(new AttemptFailed())
                .thenReply(cmd.replyTo(), s -> left > 0 ? new WrongCode(left) : new AttemptsExhausted());
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(CodeCreated.class, (s, e) -> new State(s.boundAccountId(), e.reservedAccountId(), e.salt(), e.codeHash(),
                        e.issuedAtMillis(), e.expiresAtMillis(), 0))
                .onEvent(AttemptFailed.class, (s, e) -> new State(s.boundAccountId(), s.reservedAccountId(), s.salt(), s.codeHash(),
                        s.issuedAtMillis(), s.expiresAtMillis(), s.failedAttempts() + 1))
                .onEvent(IdentifierBound.class, (s, e) -> new State(e.accountId(), e.accountId(), null, null, 0, 0, 0))
                .onEvent(IdentifierReleased.class, (s, e) -> State.EMPTY)
                .build();
    }

    private static byte[] hash(byte[] salt, String code) {
        return Sha256.of(salt, code.getBytes(StandardCharsets.UTF_8));
    }
}
