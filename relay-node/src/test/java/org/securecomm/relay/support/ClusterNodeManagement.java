package org.securecomm.relay.support;

import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Test hook loaded through {@code pekko.extensions} in a {@link ClusterNodeProcess}'s config: starts
 * Pekko Management HTTP (read-only /cluster/members and /cluster/shards/{type}) so a test can read
 * the shard distribution of each node from outside. Starting it is idempotent, so it does no harm
 * once the node starts Management itself.
 */
public final class ClusterNodeManagement extends AbstractExtensionId<ClusterNodeManagement.Started> {

    /** Marker of the started extension. */
    public static final class Started implements Extension {
    }

    @Override
    public Started createExtension(ExtendedActorSystem system) {
        PekkoManagement.get(system).start();
        return new Started();
    }
}
