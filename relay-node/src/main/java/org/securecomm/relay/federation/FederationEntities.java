package org.securecomm.relay.federation;

import java.time.Clock;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.securecomm.relay.federation.inbound.FederationInbox;
import org.securecomm.relay.federation.inbound.PduApplier;
import org.securecomm.relay.federation.outbound.FailureReporter;
import org.securecomm.relay.federation.outbound.FederationPeer;
import org.securecomm.relay.federation.outbound.JournalPruner;
import org.securecomm.relay.federation.outbound.PeerQueueSettings;
import org.securecomm.relay.federation.outbound.PeerTransport;

/** Starts the sharded federation entities of a node (call once per node, before traffic). */
public final class FederationEntities {

    /** The federation's entity types (for the shard and entity metrics). */
    public static final List<EntityTypeKey<?>> TYPES = List.of(FederationPeer.TYPE_KEY, FederationInbox.TYPE_KEY);

    private FederationEntities() {
    }

    /**
     * The outbound queues. They use remember-entities with the event-sourced store: the shard
     * journals which peers have an entity running (in the same Cassandra journal, persistence ids
     * {@code /sharding/FederationPeerShard/<n>} and {@code /sharding/FederationPeerCoordinatorStore}),
     * so after a restart or rebalance every queue that had not drained starts again by itself and
     * resumes delivery; a queue forgets itself when it passivates empty. Only this entity type
     * remembers: the others hold no work that must resume without a request.
     */
    public static void initPeers(ActorSystem<?> system, ClusterSharding sharding, PeerQueueSettings settings, PeerTransport transport,
                                 FailureReporter failures, FederationPeer.Listener listener, Clock clock) {
        FederationPeer.Dependencies dependencies = new FederationPeer.Dependencies(settings, transport, failures, listener,
                new JournalPruner(system), clock);
        ClusterShardingSettings remembering = ClusterShardingSettings.create(system)
                .withNoPassivationStrategy()
                .withRememberEntities(true)
                .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced());
        sharding.init(Entity.of(FederationPeer.TYPE_KEY, ctx -> FederationPeer.create(ctx.getEntityId(), ctx.getShard(), dependencies))
                .withSettings(remembering));
    }

    /** The inbound inboxes, one per origin domain; they passivate themselves after {@code settings.idleTimeout()}. */
    public static void initInboxes(ActorSystem<?> system, ClusterSharding sharding, PeerQueueSettings settings, PduApplier applier,
                                   Clock clock) {
        sharding.init(Entity.of(FederationInbox.TYPE_KEY,
                        ctx -> FederationInbox.create(ctx.getEntityId(), ctx.getShard(), applier, settings.idleTimeout(), clock))
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
    }
}
