package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
    void defaultsApplyWithoutEnvironment() {
        assertEquals(List.of("127.0.0.1:9042"), RelayConfig.load(Map.of()).getStringList("securecomm.cassandra.contact-points"));
    }
}
