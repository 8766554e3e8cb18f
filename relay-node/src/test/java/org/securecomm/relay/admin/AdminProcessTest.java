package org.securecomm.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestRelays;

/**
 * {@code securecomm-relay run} as a real process: drained through the admin CLI, its process
 * ends by itself with exit code 0 (no JVM is left behind without its actor system).
 */
class AdminProcessTest {

    @TempDir
    Path dir;

    @Test
    void aDrainedNodeProcessExitsWith0() throws Exception {
        CassandraNode cassandra = SharedCassandra.get();
        int adminPort;
        try (ServerSocket free = new ServerSocket(0)) {
            adminPort = free.getLocalPort();
        }
        Path conf = dir.resolve("relay.conf");
        Files.writeString(conf, String.join("\n",
                "securecomm.domain = \"" + TestRelays.DOMAIN + "\"",
                "securecomm.http.port = 0",
                "securecomm.media.port = 0",
                "securecomm.identifiers.hmac-key = \"" + TestRelays.newIdentifierKey() + "\"",
                "securecomm.cassandra.contact-points = [\"" + cassandra.host() + ":" + cassandra.nativePort() + "\"]",
                "securecomm.admin.port = " + adminPort, ""));
        String token = AdminToken.generate();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx256m", "-cp", System.getProperty("java.class.path"), "-Dconfig.file=" + conf,
                "org.securecomm.relay.node.Main", "run").redirectErrorStream(true);
        builder.environment().put("SECURECOMM_ADMIN_TOKEN", token);
        Process process = builder.start();
        StringBuffer output = new StringBuffer();
        CountDownLatch ready = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.append(line).append('\n');
                    if (line.startsWith("SecureComm relay ready")) {
                        ready.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "relay-process-output");
        pump.setDaemon(true);
        pump.start();
        try {
            assertTrue(ready.await(180, TimeUnit.SECONDS), "the node did not start:\n" + output);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = AdminCli.run(List.of("--url", "http://127.0.0.1:" + adminPort, "drain"), Map.of("SECURECOMM_ADMIN_TOKEN", token),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("draining pekko://securecomm@"), out.toString(StandardCharsets.UTF_8));

            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the drained node's process did not exit:\n" + output);
            pump.join(10_000);
            assertEquals(0, process.exitValue(), output.toString());
            assertTrue(output.toString().contains("the actor system terminated (AdminDrainReason): exit code 0"), output.toString());
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
