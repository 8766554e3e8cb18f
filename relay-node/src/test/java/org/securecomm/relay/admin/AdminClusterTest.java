package org.securecomm.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigValueFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.node.Main;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** Two nodes of one cluster (one JVM): members and shards seen cluster-wide, and a member drained from the other. */
class AdminClusterTest {

    @Test
    void membersShardsAndDrainingAnotherMember() throws Exception {
        CapturingCodeSender codes = new CapturingCodeSender();
        String key = TestRelays.newIdentifierKey();
        String token = AdminToken.generate();
        RelayNode first = TestRelays.start(SharedCassandra.get(), key, codes,
                Map.of("securecomm.admin.port", 0, "securecomm.admin.token", token));
        RelayNode second = null;
        try {
            String firstAddress = first.system().address().toString();
            second = TestRelays.start(SharedCassandra.get(), key, codes, Map.of("securecomm.admin.port", 0,
                    "securecomm.admin.token", token, "pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of(firstAddress))));
            String secondAddress = second.system().address().toString();
            AdminHttp admin = new AdminHttp(AdminServer.of(first.system()).url(), token);

            JsonNode members = admin.get("/v1/members").json();
            Set<String> addresses = new HashSet<>();
            int selves = 0;
            for (JsonNode member : members.get("members")) {
                addresses.add(member.get("address").asText());
                assertEquals("Up", member.get("status").asText(), members.toString());
                selves += member.get("self").asBoolean() ? 1 : 0;
            }
            assertEquals(Set.of(firstAddress, secondAddress), addresses);
            assertEquals(1, selves);
            assertEquals(firstAddress, members.get("oldest").asText(), "the first node is the oldest");
            // The second node's listener sees the same cluster, itself marked.
            JsonNode fromSecond = new AdminHttp(AdminServer.of(second.system()).url(), token).get("/v1/members").json();
            assertEquals(secondAddress, fromSecond.get("self").asText());

            String suffix = Long.toString(System.nanoTime(), 36);
            for (int i = 0; i < 4; i++) {
                try (TestDevice device = TestDevice.register((i % 2 == 0 ? first : second).clientUrl(), codes,
                        "u" + i + "-" + suffix + "@example.org", "u" + i + suffix)) {
                    device.uploadKeys(1, 1);
                }
            }
            JsonNode shards = admin.get("/v1/shards").json();
            for (JsonNode type : shards.get("types")) {
                int entities = 0;
                for (JsonNode region : type.get("regions")) {
                    assertTrue(Set.of(firstAddress, secondAddress).contains(region.get("node").asText()), shards.toString());
                    entities += region.get("entities").asInt();
                }
                assertEquals(type.get("entities").asInt(), entities, "the cluster total is the sum of its nodes: " + type);
                if (type.get("type").asText().equals("Account")) {
                    assertTrue(entities >= 4, shards.toString());
                }
            }

            AdminHttp.Reply drained = admin.post("/v1/drain", "{\"node\": \"" + secondAddress + "\"}");
            assertEquals(202, drained.status(), drained.body());
            assertFalse(drained.json().get("self").asBoolean());
            assertEquals("leaving", drained.json().get("status").asText());
            second.system().getWhenTerminated().toCompletableFuture().get(90, TimeUnit.SECONDS);
            var reason = CoordinatedShutdown.get(second.system()).getShutdownReason();
            assertSame(CoordinatedShutdown.clusterLeavingReason(), reason.orElseThrow());
            assertEquals(0, Main.exitCode(reason));

            // The first node serves on, and soon lists itself alone.
            int size = -1;
            for (int i = 0; i < 300 && size != 1; i++) {
                size = admin.get("/v1/members").json().get("members").size();
                if (size != 1) {
                    Thread.sleep(100);
                }
            }
            assertEquals(1, size);
        } finally {
            if (second != null) {
                second.close();
            }
            first.close();
        }
    }
}
