package org.securecomm.relay.cluster;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * Where this node is in its life: started (every entity and listener up) and draining (a
 * coordinated shutdown began). One per actor system, so the management health checks, which
 * Pekko instantiates by class name, read the same flags as the node's own listener.
 */
public final class NodeLifecycle implements Extension {

    private static final Id ID = new Id();

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();

    private NodeLifecycle() {
    }

    public static NodeLifecycle get(ClassicActorSystemProvider system) {
        return ID.get(system);
    }

    public void markStarted() {
        started.set(true);
    }

    public void markDraining() {
        draining.set(true);
    }

    public boolean started() {
        return started.get();
    }

    public boolean draining() {
        return draining.get();
    }

    private static final class Id extends AbstractExtensionId<NodeLifecycle> {
        @Override
        public NodeLifecycle createExtension(ExtendedActorSystem system) {
            return new NodeLifecycle();
        }
    }
}
