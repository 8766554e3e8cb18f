package org.securecomm.relay.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.Identifiers;
import org.securecomm.relay.Asks;
import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.account.Account;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.IdentifierHasher;
import org.securecomm.relay.account.IdentifierRegistration;
import org.securecomm.relay.account.Username;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.session.UserSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator actions on one account, named by its address or by the client hash of its identifier
 * (the hash a device computes, {@link Identifiers#clientHash}: the relay never sees the raw phone
 * number or email here). Logged with the account id only.
 */
final class AccountAdmin {

    /** An account's target: exactly one of address and identifier hash (hex of the 32-byte client hash). */
    record Target(String address, String identifierHash) {
    }

    record Result(String action, String accountId, List<Integer> devices, boolean changed, Integer envelopesRemoved,
                  Boolean usernameReleased, Boolean identifierReleased) {
    }

    /** Told on every node when a deleted account's username is free again: drop it from the address cache. */
    record UsernameReleased(String username) implements CborSerializable {
    }

    private record Resolved(String accountId, String username, String identifierKey) {
    }

    private static final Logger log = LoggerFactory.getLogger(AccountAdmin.class);

    private final ClusterSharding sharding;
    private final AccountManager accounts;
    private final IdentifierHasher identifierHasher;
    private final Duration timeout;
    private final Clock clock;
    private final ActorRef<Topic.Command<UsernameReleased>> releasedUsernames;

    AccountAdmin(ActorSystem<?> system, ClusterSharding sharding, AccountManager accounts, IdentifierHasher identifierHasher,
                 Duration timeout, Clock clock) {
        this.sharding = sharding;
        this.accounts = accounts;
        this.identifierHasher = identifierHasher;
        this.timeout = timeout;
        this.clock = clock;
        this.releasedUsernames = system.systemActorOf(Topic.create(UsernameReleased.class, "securecomm-admin-released-usernames"),
                "securecomm-admin-released-usernames", Props.empty());
        system.systemActorOf(cacheInvalidator(releasedUsernames, accounts), "securecomm-admin-username-cache", Props.empty());
    }

    private static Behavior<UsernameReleased> cacheInvalidator(ActorRef<Topic.Command<UsernameReleased>> topic, AccountManager accounts) {
        return Behaviors.setup(context -> {
            topic.tell(Topic.subscribe(context.getSelf()));
            return Behaviors.receiveMessage(released -> {
                accounts.forgetUsername(released.username());
                return Behaviors.same();
            });
        });
    }

    CompletionStage<Result> disable(Target target) {
        return setDisabled(target, true);
    }

    CompletionStage<Result> enable(Target target) {
        return setDisabled(target, false);
    }

    private CompletionStage<Result> setDisabled(Target target, boolean disabled) {
        String action = disabled ? "disable" : "enable";
        return resolve(target).thenCompose(resolved -> Asks.plain(account(resolved.accountId()).<Account.AdminResult>ask(
                        replyTo -> new Account.SetDisabled(disabled, clock.millis(), replyTo), timeout))
                .thenApply(before -> {
                    if (!before.existed()) {
                        throw AdminException.notFound("no account " + describe(target));
                    }
                    if (disabled) {
                        closeConnections(resolved.accountId(), before.deviceIds(), "this account was disabled by the relay's operator");
                    }
                    boolean changed = before.disabled() != disabled;
                    log.info("admin: account {} account={} changed={}", disabled ? "disabled" : "enabled", resolved.accountId(), changed);
                    return new Result(action, resolved.accountId(), before.deviceIds(), changed, null, null, null);
                }));
    }

    /**
     * Deletes the account (an event: devices and keys are gone), closes its connections, empties
     * its mailboxes and frees its username and, when named by it, its identifier. A retry after a
     * partial failure finishes the clean-up.
     */
    CompletionStage<Result> delete(Target target) {
        return resolve(target).thenCompose(resolved -> Asks.plain(account(resolved.accountId()).<Account.AdminResult>ask(
                        replyTo -> new Account.Delete(clock.millis(), replyTo), timeout))
                .thenCompose(before -> {
                    String username = before.existed() ? before.username() : resolved.username();
                    if (username == null && resolved.identifierKey() == null) {
                        throw AdminException.notFound("no account " + describe(target));
                    }
                    closeConnections(resolved.accountId(), before.deviceIds(), "this account was deleted by the relay's operator");
                    return purgeMailboxes(resolved.accountId(), before.deviceIds())
                            .thenCompose(removed -> releaseUsername(resolved.accountId(), username)
                                    .thenCompose(usernameReleased -> releaseIdentifier(resolved)
                                            .thenApply(identifierReleased -> {
                                                log.info("admin: account deleted account={} devices={} envelopes={}",
                                                        resolved.accountId(), before.deviceIds().size(), removed);
                                                return new Result("delete", resolved.accountId(), before.deviceIds(), before.existed(),
                                                        removed, usernameReleased, identifierReleased);
                                            })));
                }));
    }

    private void closeConnections(String accountId, List<Integer> deviceIds, String reason) {
        for (int deviceId : deviceIds) {
            sharding.entityRefFor(UserSession.TYPE_KEY, accountId).tell(new UserSession.Notify(deviceId, new DeviceMessage.AccountClosed(reason)));
        }
    }

    /** Counts, purges, then reads each mailbox again: commands are handled in order, so 0 means the purge is persisted. */
    private CompletionStage<Integer> purgeMailboxes(String accountId, List<Integer> deviceIds) {
        CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
        for (int deviceId : deviceIds) {
            var mailbox = sharding.entityRefFor(Mailbox.TYPE_KEY, Mailbox.entityId(accountId, deviceId));
            total = total.thenCompose(sum -> Asks.plain(mailbox.ask(Mailbox.GetStats::new, timeout)).thenCompose(before -> {
                mailbox.tell(new Mailbox.Purge());
                return Asks.plain(mailbox.ask(Mailbox.GetStats::new, timeout)).thenApply(after -> {
                    if (after.envelopes() != 0) {
                        throw new IllegalStateException("the mailbox of device " + deviceId + " still holds " + after.envelopes()
                                + " envelopes: run the delete again");
                    }
                    return sum + before.envelopes();
                });
            }));
        }
        return total;
    }

    private CompletionStage<Boolean> releaseUsername(String accountId, String username) {
        if (username == null) {
            return CompletableFuture.completedFuture(false);
        }
        return Asks.plain(sharding.entityRefFor(Username.TYPE_KEY, username)
                        .<Username.ClaimResult>ask(replyTo -> new Username.Release(accountId, replyTo), timeout))
                .thenApply(result -> {
                    accounts.forgetUsername(username);
                    releasedUsernames.tell(Topic.publish(new UsernameReleased(username)));
                    return result.granted();
                });
    }

    private CompletionStage<Boolean> releaseIdentifier(Resolved resolved) {
        if (resolved.identifierKey() == null) {
            return CompletableFuture.completedFuture(null);
        }
        return Asks.plain(sharding.entityRefFor(IdentifierRegistration.TYPE_KEY, resolved.identifierKey())
                        .<IdentifierRegistration.Owner>ask(replyTo -> new IdentifierRegistration.Release(resolved.accountId(), replyTo), timeout))
                .thenApply(owner -> resolved.accountId().equals(owner.accountId()));
    }

    // ------------------------------------------------------------------ resolving targets

    private CompletionStage<Resolved> resolve(Target target) {
        if ((target.address() == null) == (target.identifierHash() == null)) {
            return CompletableFuture.failedFuture(AdminException.badRequest("name the account by \"address\" or by \"identifierHash\""));
        }
        if (target.address() != null) {
            return resolveAddress(target.address());
        }
        byte[] clientHash;
        try {
            clientHash = HexFormat.of().parseHex(target.identifierHash().strip());
        } catch (IllegalArgumentException e) {
            clientHash = new byte[0];
        }
        if (clientHash.length != Identifiers.HASH_LENGTH) {
            return CompletableFuture.failedFuture(AdminException.badRequest("identifierHash must be " + 2 * Identifiers.HASH_LENGTH
                    + " hex digits: the client hash of the normalized identifier (`admin hash-identifier IDENTIFIER` computes it locally)"));
        }
        String key = identifierHasher.keyForClientHash(clientHash);
        return Asks.plain(sharding.entityRefFor(IdentifierRegistration.TYPE_KEY, key).ask(IdentifierRegistration.Lookup::new, timeout))
                .thenApply(owner -> {
                    if (owner.accountId() == null) {
                        throw AdminException.notFound("no account is registered with that identifier hash");
                    }
                    return new Resolved(owner.accountId(), null, key);
                });
    }

    private CompletionStage<Resolved> resolveAddress(String text) {
        Address address;
        try {
            address = Address.parse(text.strip());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(AdminException.badRequest("not an address (username@domain): " + e.getMessage()));
        }
        if (!accounts.isLocal(address)) {
            return CompletableFuture.failedFuture(AdminException.badRequest(address + " is not an address of this relay ("
                    + accounts.domain() + ")"));
        }
        return Asks.plain(sharding.entityRefFor(Username.TYPE_KEY, address.username()).ask(Username.Resolve::new, timeout))
                .thenApply(owner -> {
                    if (owner.accountId() == null) {
                        throw AdminException.notFound("no account " + address);
                    }
                    return new Resolved(owner.accountId(), address.username(), null);
                });
    }

    /** The account id behind an address of this relay; 400 for a malformed or foreign address, 404 for none. */
    CompletionStage<String> accountIdOf(String address) {
        return resolveAddress(address).thenApply(Resolved::accountId);
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Account.Command> account(String accountId) {
        return sharding.entityRefFor(Account.TYPE_KEY, accountId);
    }

    private static String describe(Target target) {
        return target.address() != null ? target.address() : "with that identifier hash";
    }
}
