package org.securecomm.relay.support;

import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/** ActorTestKits whose persistence runs on the shared real Cassandra node. */
public final class TestKits {

    private TestKits() {
    }

    public static ActorTestKit withCassandra(String name) {
        return ActorTestKit.create(name, TestRelays.config(SharedCassandra.get(), TestRelays.newIdentifierKey(), Map.of()));
    }
}
