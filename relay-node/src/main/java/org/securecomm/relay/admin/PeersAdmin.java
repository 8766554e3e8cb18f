package org.securecomm.relay.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;
import org.securecomm.relay.Asks;
import org.securecomm.relay.federation.Federation;
import org.securecomm.relay.federation.outbound.FederationPeer;
import org.securecomm.relay.federation.outbound.PeerStatus;

/**
 * The outbound federation queues of the whole cluster. A queue entity runs while it holds PDUs
 * (remember-entities restarts it anywhere); a drained queue stops itself, so the list is every
 * peer with work, plus any peer named explicitly.
 */
final class PeersAdmin {

    /** Times are epoch milliseconds (0: none); {@code status} is idle, sending, backing-off or queued. */
    record PeerView(String domain, String status, int depth, long bytes, double oldestAgeSeconds, long lastSuccessAtMillis,
                    long nextAttemptAtMillis, String lastError) {
    }

    /** {@code unansweredNodes}: members whose queue list did not come back (their queues are missing here). */
    record Peers(boolean federation, String message, List<PeerView> peers, List<String> unansweredNodes) {
    }

    private final ActorSystem<?> system;
    private final Federation federation;
    private final Duration timeout;
    private final Clock clock;

    /** @param federation null when this cluster does not federate */
    PeersAdmin(ActorSystem<?> system, Federation federation, Duration timeout, Clock clock) {
        this.system = system;
        this.federation = federation;
        this.timeout = timeout;
        this.clock = clock;
    }

    CompletionStage<Peers> peers(String onlyDomain) {
        if (federation == null) {
            return CompletableFuture.completedFuture(new Peers(false,
                    "federation is off (securecomm.federation.enabled): no peers, no queues", List.of(), List.of()));
        }
        if (onlyDomain != null && !onlyDomain.isBlank()) {
            return federation.peerStatus(onlyDomain.strip().toLowerCase(java.util.Locale.ROOT))
                    .thenApply(status -> new Peers(true, "", List.of(view(status)), List.of()));
        }
        List<String> unanswered = new ArrayList<>();
        List<CompletableFuture<Set<String>>> lists = new ArrayList<>();
        for (Member member : Cluster.get(system).state().getMembers()) {
            if (member.status() != MemberStatus.up() && member.status() != MemberStatus.leaving()) {
                continue;
            }
            String region = member.address() + "/system/sharding/" + FederationPeer.TYPE_KEY.name();
            lists.add(Asks.plain(Patterns.ask(system.classicSystem().actorSelection(region), ShardRegion.getShardRegionStateInstance(),
                            timeout))
                    .thenApply(reply -> domains((ShardRegion.CurrentShardRegionState) reply))
                    .exceptionally(error -> {
                        synchronized (unanswered) {
                            unanswered.add(member.address().toString());
                        }
                        return Set.of();
                    }));
        }
        return CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            Set<String> domains = new TreeSet<>();
            lists.forEach(list -> domains.addAll(list.join()));
            List<CompletableFuture<PeerView>> views = domains.stream()
                    .map(domain -> Asks.plain(federation.peerStatus(domain)).thenApply(this::view)).toList();
            return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(all -> new Peers(true,
                    domains.isEmpty() ? "no peer has queued work (a drained queue stops itself)" : "",
                    views.stream().map(CompletableFuture::join).toList(), unanswered.stream().sorted().toList()));
        });
    }

    private static Set<String> domains(ShardRegion.CurrentShardRegionState state) {
        Set<String> domains = new TreeSet<>();
        state.getShards().forEach(shard -> domains.addAll(shard.getEntityIds()));
        return domains;
    }

    private PeerView view(PeerStatus status) {
        long now = clock.millis();
        String state = status.depth() == 0 ? "idle"
                : status.inFlight() ? "sending"
                : status.nextAttemptAtMillis() > now ? "backing-off" : "queued";
        double oldest = status.oldestEnqueuedAtMillis() == 0 ? 0 : Math.max(0, now - status.oldestEnqueuedAtMillis()) / 1000.0;
        return new PeerView(status.domain(), state, status.depth(), status.bytes(), oldest, status.lastSuccessAtMillis(),
                status.nextAttemptAtMillis(), status.lastError() == null ? "" : status.lastError());
    }
}
