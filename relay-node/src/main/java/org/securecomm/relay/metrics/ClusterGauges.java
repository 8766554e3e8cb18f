package org.securecomm.relay.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.securecomm.relay.cluster.NodeLifecycle;

/**
 * The cluster as this node sees it: members by status, unreachable members, whether this node is
 * ready, and the shards and entities of each sharded type it hosts (asked of the local shard
 * regions every {@link #POLL} and kept for scrapes, which must not wait).
 */
final class ClusterGauges {

    private static final Duration POLL = Duration.ofSeconds(10);
    private static final List<MemberStatus> STATUSES = List.of(MemberStatus.joining(), MemberStatus.weaklyUp(), MemberStatus.up(),
            MemberStatus.leaving(), MemberStatus.exiting(), MemberStatus.down());

    private record Hosted(int shards, int entities) {
    }

    private final ActorSystem<?> system;
    private final Map<String, Hosted> hosted = new ConcurrentHashMap<>();

    ClusterGauges(MeterRegistry registry, ActorSystem<?> system, List<EntityTypeKey<?>> types) {
        this.system = system;
        Cluster cluster = Cluster.get(system);
        for (MemberStatus status : STATUSES) {
            Gauge.builder("securecomm_cluster_members", cluster, c -> count(c, status))
                    .description("Cluster members by status, as this node sees them").tag("status", label(status)).register(registry);
        }
        Gauge.builder("securecomm_cluster_unreachable_members", cluster, c -> c.state().getUnreachable().size())
                .description("Members this node's failure detector marks unreachable").register(registry);
        NodeLifecycle lifecycle = NodeLifecycle.get(system);
        Gauge.builder("securecomm_node_ready", cluster,
                        c -> lifecycle.started() && !lifecycle.draining() && c.selfMember().status() == MemberStatus.up() ? 1 : 0)
                .description("1 while this node accepts clients (started, Up, not draining)").register(registry);
        for (EntityTypeKey<?> type : types) {
            hosted.put(type.name(), new Hosted(0, 0));
            Gauge.builder("securecomm_shards", hosted, h -> h.get(type.name()).shards())
                    .description("Shards of this entity type hosted by this node").tag("type", type.name()).register(registry);
            Gauge.builder("securecomm_entities", hosted, h -> h.get(type.name()).entities())
                    .description("Entities of this type running on this node").tag("type", type.name()).register(registry);
        }
        system.scheduler().scheduleAtFixedRate(Duration.ofSeconds(1), POLL, () -> types.forEach(this::poll), system.executionContext());
    }

    private void poll(EntityTypeKey<?> type) {
        AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                        ClusterSharding.get(system).shardState(),
                        replyTo -> new GetShardRegionState(type, replyTo), POLL, system.scheduler())
                .thenAccept(state -> hosted.put(type.name(), new Hosted(state.getShards().size(),
                        state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum())));
        // A failed or late answer keeps the last figures; the next poll tries again.
    }

    private static long count(Cluster cluster, MemberStatus status) {
        return StreamSupport.stream(cluster.state().getMembers().spliterator(), false).map(Member::status).filter(status::equals).count();
    }

    private static String label(MemberStatus status) {
        return status.toString();
    }
}
