package org.securecomm.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.relay.support.FederatedClusters;
import org.securecomm.relay.support.TestDevice;

/** {@code admin peers} on a federating cluster whose peer is down: the queue, its depth and state. */
class AdminPeersTest {

    @Test
    void peersShowTheQueueOfAnUnreachablePeer() throws Exception {
        int deadPort;
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        String token = AdminToken.generate();
        try (FederatedClusters clusters = FederatedClusters.start(List.of("a.test"),
                Map.of("securecomm.admin.port", 0, "securecomm.admin.token", token, "securecomm.federation.delivery-wait", "0s"),
                TestCertificateAuthority.create("admin peers test CA"), Map.of("b.test", "https://127.0.0.1:" + deadPort))) {
            FederatedClusters.Cluster a = clusters.cluster("a.test");
            String suffix = Long.toString(System.nanoTime(), 36);
            try (TestDevice alice = TestDevice.register(a.node().clientUrl(), a.codes(), "alice-" + suffix + "@example.org",
                    "alice" + suffix)) {
                alice.send("bob@b.test", List.of(1), new byte[50]);
                alice.send("bob@b.test", List.of(1), new byte[50]);
            }
            String url = AdminServer.of(a.node().system()).url();
            AdminHttp admin = new AdminHttp(url, token);
            AdminHttp.Reply reply = admin.get("/v1/peers");
            assertEquals(200, reply.status(), reply.body());
            assertTrue(reply.json().get("federation").asBoolean());
            assertEquals(0, reply.json().get("unansweredNodes").size(), reply.body());
            JsonNode peer = reply.json().get("peers").get(0);
            assertEquals("b.test", peer.get("domain").asText(), reply.body());
            assertEquals(2, peer.get("depth").asInt(), reply.body());
            assertTrue(Set.of("sending", "backing-off", "queued").contains(peer.get("status").asText()), reply.body());
            assertEquals(0, peer.get("lastSuccessAtMillis").asLong(), reply.body());

            AdminHttp.Reply one = admin.get("/v1/peers?domain=b.test");
            assertEquals(2, one.json().get("peers").get(0).get("depth").asInt(), one.body());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = AdminCli.run(List.of("--url", url, "peers"), Map.of("SECURECOMM_ADMIN_TOKEN", token),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(0, code);
            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertTrue(lines.get(0).matches("DOMAIN\\s+STATUS\\s+DEPTH\\s+BYTES\\s+OLDEST\\s+LAST SUCCESS\\s+NEXT ATTEMPT\\s+LAST ERROR"),
                    lines.get(0));
            assertTrue(lines.get(1).matches("b\\.test\\s+\\S+\\s+2\\s+\\d+\\s+\\S+\\s+-\\s+.*"), lines.get(1));
        }
    }
}
