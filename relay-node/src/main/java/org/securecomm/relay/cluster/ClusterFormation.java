package org.securecomm.relay.cluster;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node finds its cluster: the configured seed nodes (or itself alone when there are none),
 * or Pekko Management's cluster bootstrap, which discovers its peers (config for bare hosts, the
 * Kubernetes API for pods) and forms or joins the cluster. The management listener (health
 * probes, read-only cluster routes, bootstrap's contact point) starts first in both cases.
 */
public final class ClusterFormation {

    private static final Logger log = LoggerFactory.getLogger(ClusterFormation.class);

    public enum Method { SEED_NODES, BOOTSTRAP }

    /** The {@code securecomm.cluster} section. */
    public record Settings(Method method, boolean management, Duration joinTimeout) {

        public static Settings from(Config root) {
            Config c = root.getConfig("securecomm.cluster");
            String formation = c.getString("formation").strip().toLowerCase(Locale.ROOT);
            Method method = switch (formation) {
                case "seed-nodes" -> Method.SEED_NODES;
                case "bootstrap" -> Method.BOOTSTRAP;
                default -> throw new IllegalArgumentException(
                        "securecomm.cluster.formation must be seed-nodes or bootstrap, not " + formation);
            };
            boolean management = c.getBoolean("management");
            if (method == Method.BOOTSTRAP && !management) {
                throw new IllegalArgumentException("securecomm.cluster.formation = bootstrap needs securecomm.cluster.management = on:"
                        + " bootstrap's contact points are served by Pekko Management");
            }
            if (method == Method.BOOTSTRAP && !root.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                throw new IllegalArgumentException("securecomm.cluster.formation = bootstrap discovers its peers:"
                        + " leave pekko.cluster.seed-nodes (SECURECOMM_CLUSTER_SEED_NODES) empty");
            }
            return new Settings(method, management, c.getDuration("join-timeout"));
        }
    }

    private ClusterFormation() {
    }

    /**
     * Starts management (when on), joins the cluster and waits until this node is Up.
     *
     * @return the management listener's URI, or null when management is off
     */
    public static URI join(ActorSystem<?> system, Settings settings) throws Exception {
        URI management = null;
        if (settings.management()) {
            management = URI.create(PekkoManagement.get(system.classicSystem()).start()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS).toString());
            log.info("management (health checks, cluster routes) at {}", management);
        }
        Cluster cluster = Cluster.get(system);
        if (settings.method() == Method.BOOTSTRAP) {
            log.info("forming or joining the cluster through cluster bootstrap (discovery method {})",
                    system.settings().config().getString("pekko.discovery.method"));
            ClusterBootstrap.get(system.classicSystem()).start();
        } else if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            log.info("no seed nodes configured: this node forms a cluster of its own");
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        long deadline = System.nanoTime() + settings.joinTimeout().toNanos();
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("this node did not become an Up member of its cluster within "
                        + settings.joinTimeout().toSeconds() + " s (securecomm.cluster.join-timeout): check the seed nodes"
                        + " or discovery, and that the other nodes are reachable on their cluster port");
            }
            Thread.sleep(50);
        }
        log.info("member {} of a cluster of {}", cluster.selfMember().address(),
                java.util.stream.StreamSupport.stream(cluster.state().getMembers().spliterator(), false).count());
        return management;
    }
}
