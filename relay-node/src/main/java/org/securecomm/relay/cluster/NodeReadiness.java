package org.securecomm.relay.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check ({@code /ready}): false until the node has started and again
 * as soon as it drains, so a load balancer or Kubernetes stops sending clients before the node
 * tells its connected clients to go. Cluster membership (Up) is checked by Pekko's own check.
 */
public final class NodeReadiness implements Supplier<CompletionStage<Boolean>> {

    private final NodeLifecycle lifecycle;

    public NodeReadiness(ActorSystem system) {
        this.lifecycle = NodeLifecycle.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(lifecycle.started() && !lifecycle.draining());
    }
}
