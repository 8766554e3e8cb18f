package org.securecomm.relay.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.securecomm.relay.Asks;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.mailbox.Mailbox;

/** Mailbox figures: one account's devices, and the live mailboxes of this node. */
final class MailboxAdmin {

    record DeviceMailbox(int deviceId, int envelopes, long bytes, double oldestEnvelopeAgeSeconds) {
    }

    record AccountMailboxes(String address, String accountId, boolean disabled, List<DeviceMailbox> devices) {
    }

    /** Only mailboxes running on this node (a mailbox with no connected device passivates after its idle timeout). */
    record NodeMailboxes(String node, int mailboxes, long envelopes, long bytes, double oldestEnvelopeAgeSeconds) {
    }

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final AccountManager accounts;
    private final AccountAdmin accountAdmin;
    private final Duration timeout;
    private final Clock clock;

    MailboxAdmin(ActorSystem<?> system, ClusterSharding sharding, AccountManager accounts, AccountAdmin accountAdmin, Duration timeout,
                 Clock clock) {
        this.system = system;
        this.sharding = sharding;
        this.accounts = accounts;
        this.accountAdmin = accountAdmin;
        this.timeout = timeout;
        this.clock = clock;
    }

    CompletionStage<AccountMailboxes> ofAddress(String address) {
        return accountAdmin.accountIdOf(address).thenCompose(accountId -> accounts.devices(accountId).thenCompose(devices -> {
            if (!devices.exists()) {
                throw AdminException.notFound("no account " + address);
            }
            List<CompletableFuture<DeviceMailbox>> figures = new ArrayList<>();
            for (var device : devices.devices()) {
                figures.add(stats(Mailbox.entityId(accountId, device.id()))
                        .thenApply(stats -> new DeviceMailbox(device.id(), stats.envelopes(), stats.bytes(), age(stats))));
            }
            return CompletableFuture.allOf(figures.toArray(CompletableFuture[]::new)).thenApply(done -> new AccountMailboxes(
                    address.strip(), accountId, devices.disabled(), figures.stream().map(CompletableFuture::join).toList()));
        }));
    }

    CompletionStage<NodeMailboxes> ofThisNode() {
        return Asks.plain(AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(sharding.shardState(),
                        replyTo -> new GetShardRegionState(Mailbox.TYPE_KEY, replyTo), timeout, system.scheduler()))
                .thenCompose(state -> {
                    List<CompletableFuture<Mailbox.Stats>> figures = new ArrayList<>();
                    for (ShardRegion.ShardState shard : state.getShards()) {
                        for (String entityId : shard.getEntityIds()) {
                            figures.add(stats(entityId));
                        }
                    }
                    return CompletableFuture.allOf(figures.toArray(CompletableFuture[]::new)).thenApply(done -> {
                        long envelopes = 0;
                        long bytes = 0;
                        double oldest = 0;
                        for (CompletableFuture<Mailbox.Stats> figure : figures) {
                            Mailbox.Stats stats = figure.join();
                            envelopes += stats.envelopes();
                            bytes += stats.bytes();
                            oldest = Math.max(oldest, age(stats));
                        }
                        return new NodeMailboxes(Cluster.get(system).selfMember().address().toString(), figures.size(), envelopes, bytes,
                                oldest);
                    });
                });
    }

    private CompletableFuture<Mailbox.Stats> stats(String entityId) {
        return Asks.plain(sharding.entityRefFor(Mailbox.TYPE_KEY, entityId).ask(Mailbox.GetStats::new, timeout));
    }

    private double age(Mailbox.Stats stats) {
        return stats.envelopes() == 0 || stats.oldestServerTimestamp() == 0 ? 0
                : Math.max(0, clock.millis() - stats.oldestServerTimestamp()) / 1000.0;
    }

}
