package org.securecomm.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real Cassandra child JVM twice on one data dir. */
final class CassandraNodeTest {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void startsStopsAndRestartsOnTheSameDataDir(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("node");
        CassandraNode.Options options = CassandraNode.Options.of(dataDir);

        CassandraNode first = CassandraNode.start(options);
        long pid;
        int nativePort;
        try {
            pid = first.pid();
            nativePort = first.nativePort();
            assertEquals("127.0.0.1", first.host());
            assertEquals(dataDir.toAbsolutePath(), first.dataDir());
            assertTrue(NativeProtocolProbe.answersOptions(first.host(), nativePort, PROBE_TIMEOUT));
            assertTrue(first.isAlive());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child pid alive");
            assertTrue(Files.size(dataDir.resolve("logs/system.log")) > 0, "system.log written");

            try (CqlTestClient cql = new CqlTestClient(first.host(), nativePort)) {
                assertEquals(CqlTestClient.KIND_SCHEMA_CHANGE, cql.query("CREATE KEYSPACE restart_probe WITH"
                        + " replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").kind());
                cql.query("CREATE TABLE restart_probe.t (id int PRIMARY KEY, v text)");
                cql.query("INSERT INTO restart_probe.t (id, v) VALUES (1, 'kept')");
            }

            IllegalStateException busy = assertThrows(IllegalStateException.class,
                    () -> CassandraNode.start(options), "a second node on the same data dir");
            assertTrue(busy.getMessage().contains("already uses"), busy.getMessage());
        } finally {
            first.close();
        }

        assertFalse(first.isAlive());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child pid gone");
        assertPortClosed(first.host(), nativePort);
        first.close(); // idempotent

        try (CassandraNode second = CassandraNode.start(options)) {
            assertTrue(NativeProtocolProbe.answersOptions(second.host(), second.nativePort(), PROBE_TIMEOUT));
            try (CqlTestClient cql = new CqlTestClient(second.host(), second.nativePort())) {
                assertEquals(CqlTestClient.KIND_SET_KEYSPACE, cql.query("USE restart_probe").kind());
                assertEquals(1, CqlTestClient.rowCount(cql.query("SELECT id FROM restart_probe.t WHERE id = 1")));
            }
        }
    }

    private static void assertPortClosed(String host, int port) {
        assertThrows(IOException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 1_000);
            }
        }, "native port " + port + " still accepts connections");
    }
}
