package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.cluster.ClusterFormation;

class RelayConfigTest {

    @Test
    void contactPointsComeFromTheEnvironmentAsAList() {
        var config = RelayConfig.load(Map.of(RelayConfig.CONTACT_POINTS_ENV, "10.0.0.1:9042, 10.0.0.2:9042,"));
        assertEquals(List.of("10.0.0.1:9042", "10.0.0.2:9042"), config.getStringList("securecomm.cassandra.contact-points"));
        // The driver used by the journal sees the same list.
        assertEquals(List.of("10.0.0.1:9042", "10.0.0.2:9042"), config.getStringList("datastax-java-driver.basic.contact-points"));
    }

    @Test
    void turnUrlsComeFromTheEnvironmentAsAList() {
        var config = RelayConfig.load(Map.of(RelayConfig.TURN_URLS_ENV, "turn:a.example:3478?transport=udp, turns:a.example:5349"));
        assertEquals(List.of("turn:a.example:3478?transport=udp", "turns:a.example:5349"), config.getStringList("securecomm.turn.urls"));
        assertEquals(List.of(), RelayConfig.load(Map.of()).getStringList("securecomm.turn.urls"));
    }

    @Test
    void seedNodesComeFromTheEnvironmentAsAList() {
        var config = RelayConfig.load(Map.of(RelayConfig.SEED_NODES_ENV,
                "pekko://securecomm@10.0.0.1:25520,pekko://securecomm@10.0.0.2:25520"));
        assertEquals(List.of("pekko://securecomm@10.0.0.1:25520", "pekko://securecomm@10.0.0.2:25520"),
                config.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(ClusterFormation.Method.SEED_NODES, ClusterFormation.Settings.from(config).method());
    }

    @Test
    void clusterFormationIsCheckedBeforeAnythingStarts() {
        var bootstrapWithSeeds = ConfigFactory.parseMap(Map.of("securecomm.cluster.formation", "bootstrap",
                "pekko.cluster.seed-nodes", List.of("pekko://securecomm@10.0.0.1:25520"))).withFallback(RelayConfig.load(Map.of())).resolve();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ClusterFormation.Settings.from(bootstrapWithSeeds));
        assertTrue(refused.getMessage().contains("leave pekko.cluster.seed-nodes"), refused.getMessage());

        var unknown = ConfigFactory.parseMap(Map.of("securecomm.cluster.formation", "dns")).withFallback(RelayConfig.load(Map.of()));
        refused = assertThrows(IllegalArgumentException.class, () -> ClusterFormation.Settings.from(unknown));
        assertTrue(refused.getMessage().contains("seed-nodes or bootstrap"), refused.getMessage());

        var bootstrap = ConfigFactory.parseMap(Map.of("securecomm.cluster.formation", "Bootstrap")).withFallback(RelayConfig.load(Map.of()));
        assertEquals(ClusterFormation.Method.BOOTSTRAP, ClusterFormation.Settings.from(bootstrap).method());
    }

    @Test
    void listenersReuseTheirAddressSoARestartedNodeBindsAtOnce() {
        // Pekko's default leaves SO_REUSEADDR unset: the bind then fails while connections of the previous process are in TIME_WAIT.
        assertTrue(RelayConfig.load(Map.of()).getBoolean("pekko.http.server.socket-options.so-reuse-address"));
    }

    @Test
    void journalAndSnapshotsAreWrittenAtLocalQuorum() {
        var config = RelayConfig.load(Map.of());
        // The plugin's own snapshot default is ONE, which could lose acknowledged envelopes with RF 3.
        assertEquals("LOCAL_QUORUM", config.getString(
                "datastax-java-driver.profiles.pekko-persistence-cassandra-profile.basic.request.consistency"));
        assertEquals("LOCAL_QUORUM", config.getString(
                "datastax-java-driver.profiles.pekko-persistence-cassandra-snapshot-profile.basic.request.consistency"));
        assertEquals("pekko-persistence-cassandra-profile", config.getString("pekko.persistence.cassandra.write-profile"));
        assertEquals("pekko-persistence-cassandra-snapshot-profile", config.getString("pekko.persistence.cassandra.snapshot.write-profile"));
    }

    @Test
    void mailboxSnapshotIntervalIsReadAndCheckedAtStart() {
        Config config = RelayConfig.load(Map.of()).withValue("securecomm.identifiers.hmac-key",
                ConfigValueFactory.fromAnyRef(Base64.getEncoder().encodeToString(new byte[32])));
        assertEquals(100, RelaySettings.from(config).mailbox().snapshotEvery());
        assertEquals(500, RelaySettings.from(config.withValue("securecomm.mailbox.snapshot-every", ConfigValueFactory.fromAnyRef(500)))
                .mailbox().snapshotEvery());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RelaySettings.from(
                config.withValue("securecomm.mailbox.snapshot-every", ConfigValueFactory.fromAnyRef(0))));
        assertTrue(refused.getMessage().contains("snapshot-every"), refused.getMessage());
    }

    @Test
    void defaultsApplyWithoutEnvironment() {
        assertEquals(List.of("127.0.0.1:9042"), RelayConfig.load(Map.of()).getStringList("securecomm.cassandra.contact-points"));
    }
}
