package org.securecomm.relay.federation.outbound;

import com.typesafe.config.ConfigValueFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.cleanup.Cleanup;
import org.apache.pekko.persistence.cassandra.cleanup.CleanupSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.FutureConverters;

/**
 * Deletes the events and older snapshots of an entity that its latest snapshots make unnecessary.
 * Pekko's RetentionCriteria does this only for count-based snapshots; the peer queue snapshots on
 * a predicate (never a huge queue, see FederationPeer), so it asks the Cassandra plugin's cleanup
 * through the journal instead.
 */
public final class JournalPruner {

    private static final Logger log = LoggerFactory.getLogger(JournalPruner.class);
    /** Two, so a snapshot that cannot be read still leaves one with its later events to recover from. */
    private static final int SNAPSHOTS_KEPT = 2;

    private final Cleanup cleanup;

    public JournalPruner(ActorSystem<?> system) {
        // The plugin's cleanup tool defaults to a dry run.
        CleanupSettings settings = new CleanupSettings(system.settings().config().getConfig("pekko.persistence.cassandra.cleanup")
                .withValue("dry-run", ConfigValueFactory.fromAnyRef(false))
                .withValue("log-progress-every", ConfigValueFactory.fromAnyRef(Integer.MAX_VALUE)));
        this.cleanup = new Cleanup(system, settings);
    }

    /** Fire and forget: a failed prune only leaves rows that the next prune removes. */
    public void afterSnapshot(String persistenceId) {
        FutureConverters.asJava(cleanup.cleanupBeforeSnapshot(persistenceId, SNAPSHOTS_KEPT)).whenComplete((done, error) -> {
            if (error != null) {
                log.warn("pruning the journal of {} failed: {}", persistenceId, error.toString());
            }
        });
    }
}
