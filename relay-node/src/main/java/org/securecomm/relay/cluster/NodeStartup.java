package org.securecomm.relay.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/** Pekko Management startup check ({@code /startup}): true once the node has started, even while it drains. */
public final class NodeStartup implements Supplier<CompletionStage<Boolean>> {

    private final NodeLifecycle lifecycle;

    public NodeStartup(ActorSystem system) {
        this.lifecycle = NodeLifecycle.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(lifecycle.started());
    }
}
