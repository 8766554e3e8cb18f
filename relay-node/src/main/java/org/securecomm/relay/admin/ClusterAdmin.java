package org.securecomm.relay.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.securecomm.relay.Asks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Members, shard distribution and draining, as this node sees the cluster. */
final class ClusterAdmin {

    /** Why a node stops when an operator drained it: Main exits with 0 for it. */
    static final CoordinatedShutdown.Reason DRAIN = new DrainReason();

    static final class DrainReason implements CoordinatedShutdown.Reason {
        @Override
        public String toString() {
            return "AdminDrainReason";
        }
    }

    record MemberView(String address, String status, List<String> roles, String dataCenter, boolean reachable, boolean leader,
                      boolean oldest, boolean self) {
    }

    record Members(String self, String leader, String oldest, List<MemberView> members) {
    }

    record RegionView(String node, int shards, int entities) {
    }

    record TypeView(String type, List<RegionView> regions, int shards, int entities, List<String> failedShards) {
    }

    record Shards(List<TypeView> types) {
    }

    record Drain(String node, boolean self, String status) {
    }

    private static final Logger log = LoggerFactory.getLogger(ClusterAdmin.class);

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final List<EntityTypeKey<?>> entityTypes;
    private final Duration timeout;

    ClusterAdmin(ActorSystem<?> system, ClusterSharding sharding, List<EntityTypeKey<?>> entityTypes, Duration timeout) {
        this.system = system;
        this.sharding = sharding;
        this.entityTypes = List.copyOf(entityTypes);
        this.timeout = timeout;
    }

    Members members() {
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Address self = cluster.selfMember().address();
        Set<Member> unreachable = state.getUnreachable();
        Address leader = state.getLeader();
        Member oldest = null;
        for (Member member : state.getMembers()) {
            boolean serving = member.status() == MemberStatus.up() || member.status() == MemberStatus.leaving();
            if (serving && (oldest == null || member.isOlderThan(oldest))) {
                oldest = member;
            }
        }
        List<MemberView> views = new ArrayList<>();
        for (Member member : state.getMembers()) {
            views.add(new MemberView(member.address().toString(), member.status().toString(),
                    member.getRoles().stream().filter(role -> !role.startsWith("dc-")).sorted().toList(), member.dataCenter(),
                    !unreachable.contains(member), member.address().equals(leader), member.equals(oldest), member.address().equals(self)));
        }
        views.sort(Comparator.comparing(MemberView::address));
        return new Members(self.toString(), leader == null ? null : leader.toString(),
                oldest == null ? null : oldest.address().toString(), views);
    }

    CompletionStage<Shards> shards() {
        List<CompletableFuture<TypeView>> types = new ArrayList<>();
        for (EntityTypeKey<?> key : entityTypes) {
            types.add(Asks.plain(AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
                            sharding.shardState(), replyTo -> new GetClusterShardingStats(key, timeout, replyTo),
                            timeout.plusSeconds(1), system.scheduler()))
                    .thenApply(stats -> typeView(key.name(), stats)));
        }
        return CompletableFuture.allOf(types.toArray(CompletableFuture[]::new))
                .thenApply(done -> new Shards(types.stream().map(CompletableFuture::join).toList()));
    }

    private static TypeView typeView(String type, ShardRegion.ClusterShardingStats stats) {
        Map<String, RegionView> regions = new TreeMap<>();
        List<String> failed = new ArrayList<>();
        stats.getRegions().forEach((address, region) -> {
            int entities = region.getStats().values().stream().mapToInt(count -> ((Number) count).intValue()).sum();
            regions.put(address.toString(), new RegionView(address.toString(), region.getStats().size(), entities));
            region.getFailed().forEach(failed::add);
        });
        List<RegionView> list = List.copyOf(regions.values());
        return new TypeView(type, list, list.stream().mapToInt(RegionView::shards).sum(),
                list.stream().mapToInt(RegionView::entities).sum(), failed.stream().sorted().toList());
    }

    /**
     * Without a node: this node runs its coordinated shutdown (readiness down, Closing pushes,
     * shard hand-off, leave), shortly after the answer went out. With another member's address:
     * that member is told to leave, which ends in its own coordinated shutdown.
     */
    Drain drain(String nodeAddress) {
        Cluster cluster = Cluster.get(system);
        Address self = cluster.selfMember().address();
        Address target = self;
        if (nodeAddress != null && !nodeAddress.isBlank()) {
            try {
                target = AddressFromURIString.parse(nodeAddress.strip());
            } catch (Exception e) { // MalformedURLException, undeclared by the Scala method
                throw AdminException.badRequest("not a member address (pekko://securecomm@host:port): " + nodeAddress);
            }
            Address wanted = target;
            boolean member = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                    .anyMatch(m -> m.address().equals(wanted));
            if (!member) {
                throw AdminException.notFound("no member " + nodeAddress + " in this cluster (see `admin members`)");
            }
        }
        if (target.equals(self)) {
            log.info("admin: drain of this node {} requested: coordinated shutdown", self);
            // Let the 202 reach the operator before the listeners unbind.
            system.scheduler().scheduleOnce(Duration.ofMillis(300),
                    () -> CoordinatedShutdown.get(system).runAll(DRAIN), system.executionContext());
            return new Drain(self.toString(), true, "draining");
        }
        log.info("admin: member {} told to leave the cluster", target);
        cluster.manager().tell(Leave.create(target));
        return new Drain(target.toString(), false, "leaving");
    }
}
