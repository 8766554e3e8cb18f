package org.securecomm.ops.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real coturn: started, asked, stopped, and never left behind (an allocation test is IceSessionTest's). */
@Timeout(60)
class CoturnServerTest {

    private static final int ALLOCATE_REQUEST = 0x0003;
    private static final int ALLOCATE_ERROR = 0x0113;
    private static final int ATTR_REQUESTED_TRANSPORT = 0x0019;
    private static final int ATTR_ERROR_CODE = 0x0009;
    private static final int ATTR_REALM = 0x0014;

    @Test
    void answersStunAndAsksForCredentialsOfItsRealmThenStopsWithoutALeftover() throws Exception {
        CoturnServer server = CoturnServer.start();
        long pid = server.pid();
        Path dir = server.workDir();
        try {
            assertTrue(pid > 0);
            assertTrue(server.isAlive());
            assertTrue(server.turnUrl().matches("turn:127\\.0\\.0\\.1:\\d+\\?transport=udp"), server.turnUrl());
            assertTrue(StunBindingProbe.answers(server.address(), Duration.ofSeconds(2)));
            String config = Files.readString(dir.resolve("turnserver.conf"));
            assertTrue(config.contains("use-auth-secret\n") && config.contains("static-auth-secret=" + server.secret()));
            assertTrue(config.contains("min-port=" + server.minRelayPort()) && config.contains("no-cli\n"));

            UnauthenticatedAllocate answer = allocateWithoutCredentials(server.address());
            assertEquals(ALLOCATE_ERROR, answer.type());
            assertEquals(401, answer.errorCode());
            assertEquals(CoturnServer.Options.DEFAULT_REALM, answer.realm());
        } finally {
            server.close();
        }
        assertFalse(server.isAlive());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "turnserver " + pid + " alive");
        assertTrue(ProcessHandle.current().descendants()
                .noneMatch(p -> p.isAlive() && p.info().command().orElse("").endsWith("turnserver")));
        assertFalse(Files.exists(dir), "temporary work dir removed");
        server.close(); // idempotent
    }

    @Test
    void twoServersRunSideBySideInAGivenDirectory(@org.junit.jupiter.api.io.TempDir Path dir) {
        try (CoturnServer first = CoturnServer.start(CoturnServer.Options.defaults().withWorkDir(dir.resolve("a"))
                .withSecret("s3cret").withRealm("north.example"));
             CoturnServer second = CoturnServer.start(CoturnServer.Options.defaults().withWorkDir(dir.resolve("b")))) {
            assertTrue(first.port() != second.port());
            assertEquals("s3cret", first.secret());
            assertTrue(Files.exists(first.logFile()));
        }
        assertTrue(Files.exists(dir.resolve("a/turnserver.log")), "a given work dir is kept");
    }

    @Test
    void coturnExitsWhenItsJvmIsKilledWithSigkill(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process jvm = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CoturnChildMain.class.getName(), dir.toString()).redirectErrorStream(true).start();
        long pid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("turnserver-pid "));
            assertTrue(line != null, "the child JVM did not start coturn");
            pid = Long.parseLong(line.substring("turnserver-pid ".length()));
            ProcessHandle turnserver = ProcessHandle.of(pid).orElseThrow();
            assertTrue(turnserver.isAlive());

            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
            turnserver.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(turnserver.isAlive());
        } finally {
            jvm.destroyForcibly();
        }
    }

    private static UnauthenticatedAllocate allocateWithoutCredentials(InetSocketAddress server) throws Exception {
        byte[] transactionId = new byte[12];
        new java.security.SecureRandom().nextBytes(transactionId);
        byte[] request = ByteBuffer.allocate(28).putShort((short) ALLOCATE_REQUEST).putShort((short) 8)
                .putInt(StunBindingProbe.MAGIC_COOKIE).put(transactionId)
                .putShort((short) ATTR_REQUESTED_TRANSPORT).putShort((short) 4).putInt(17 << 24).array();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0))) {
            socket.setSoTimeout(3000);
            socket.send(new DatagramPacket(request, request.length, server));
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            socket.receive(packet);
            ByteBuffer response = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
            int type = response.getShort() & 0xFFFF;
            int length = response.getShort() & 0xFFFF;
            response.position(20);
            int errorCode = -1;
            String realm = null;
            while (response.position() < 20 + length) {
                int attr = response.getShort() & 0xFFFF;
                int attrLength = response.getShort() & 0xFFFF;
                byte[] value = new byte[attrLength];
                response.get(value);
                response.position(response.position() + (4 - attrLength % 4) % 4);
                if (attr == ATTR_ERROR_CODE) {
                    errorCode = (value[2] & 0x7) * 100 + (value[3] & 0xFF);
                } else if (attr == ATTR_REALM) {
                    realm = new String(value, StandardCharsets.UTF_8);
                }
            }
            return new UnauthenticatedAllocate(type, errorCode, realm);
        }
    }

    private record UnauthenticatedAllocate(int type, int errorCode, String realm) {
    }
}
