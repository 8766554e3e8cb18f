package org.securecomm.jmh;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The relay's Pekko configuration (serializer bindings included) without the cluster: benchmarks
 * need a materializer or the serialization extension, not remoting on a port.
 */
public final class LocalActorSystem {

    private LocalActorSystem() {
    }

    public static ActorSystem<Void> start(String name) {
        Config config = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING")
                .withFallback(ConfigFactory.load());
        return ActorSystem.create(Behaviors.empty(), name, config);
    }
}
