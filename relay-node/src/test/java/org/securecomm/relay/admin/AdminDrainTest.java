package org.securecomm.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.relay.node.Main;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** A node of its own (a one-node cluster) drained through its admin listener, with a generated token. */
class AdminDrainTest {

    @TempDir
    Path dir;

    @Test
    void drainStopsTheNodeAfterAnswering() throws Exception {
        Path tokenFile = dir.resolve("relay-admin.token");
        CapturingCodeSender codes = new CapturingCodeSender();
        RelayNode node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), codes,
                Map.of("securecomm.admin.port", 0, "securecomm.admin.token-file", tokenFile.toString()));
        try {
            // No token configured: one was generated, written owner-only.
            assertEquals(tokenFile, AdminServer.of(node.system()).generatedTokenFile());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = Files.readString(tokenFile).strip();
            assertEquals(43, token.length(), "256 bits, base64url");
            AdminHttp admin = new AdminHttp(AdminServer.of(node.system()).url(), token);

            String suffix = Long.toString(System.nanoTime(), 36);
            try (TestDevice pia = TestDevice.register(node.clientUrl(), codes, "pia-" + suffix + "@example.org", "pia" + suffix)) {
                AdminHttp.Reply reply = admin.post("/v1/drain", "");
                assertEquals(202, reply.status(), reply.body());
                assertTrue(reply.json().get("self").asBoolean());
                assertEquals(node.system().address().toString(), reply.json().get("node").asText());

                // The connected device is told, and the actor system terminates on its own.
                pia.await(push -> push.hasClosing(), Duration.ofSeconds(30));
                node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            var reason = CoordinatedShutdown.get(node.system()).getShutdownReason();
            assertSame(AdminServer.DRAIN_REASON, reason.orElseThrow());
            assertEquals(0, Main.exitCode(reason), "a drained node's process exits with 0");
            assertFalse(Files.exists(tokenFile), "the generated token file goes with the node");
        } finally {
            node.close();
        }
    }

    @Test
    void exitCodesByReason() {
        assertEquals(0, Main.exitCode(java.util.Optional.of(CoordinatedShutdown.jvmExitReason())));
        assertEquals(0, Main.exitCode(java.util.Optional.of(CoordinatedShutdown.clusterLeavingReason())));
        assertEquals(0, Main.exitCode(java.util.Optional.of(CoordinatedShutdown.unknownReason())));
        assertEquals(1, Main.exitCode(java.util.Optional.of(CoordinatedShutdown.clusterDowningReason())));
        assertEquals(1, Main.exitCode(java.util.Optional.of(CoordinatedShutdown.clusterJoinUnsuccessfulReason())));
        assertEquals(1, Main.exitCode(java.util.Optional.empty()));
    }
}
