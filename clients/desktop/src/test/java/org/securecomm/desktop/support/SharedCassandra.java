package org.securecomm.desktop.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.node.CqlSchema;

/**
 * One real Cassandra node (child JVM, free ports, fresh data directory) shared by the tests of
 * this JVM, with the relay schema applied. Stopped by the launcher's shutdown hook when the test
 * JVM exits, so no process outlives the build.
 */
public final class SharedCassandra {

    private static CassandraNode node;

    private SharedCassandra() {
    }

    public static synchronized CassandraNode get() {
        if (node == null || !node.isAlive()) {
            node = startFresh("shared");
        }
        return node;
    }

    /** A node of its own (for tests that restart Cassandra), schema applied. */
    public static CassandraNode startFresh(String name) {
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath().toFile().exists()
                    ? Path.of("target").toAbsolutePath() : Path.of(System.getProperty("java.io.tmpdir")), "cassandra-" + name + "-");
            return startOn(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CassandraNode startOn(Path dataDir) {
        CassandraNode started = CassandraNode.start(CassandraNode.Options.of(dataDir).withMaxHeap("384m"));
        CqlSchema.apply(started.host(), started.nativePort(), "datacenter1");
        return started;
    }
}
