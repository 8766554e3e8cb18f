package org.securecomm.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure paths, driven by a fake {@code java} script instead of Cassandra so they take well under
 * a second: the error must carry the child's log, and no child may be left behind.
 */
final class StartupFailureTest {

    @TempDir
    Path tmp;

    @Test
    void childThatExitsEarlyFailsWithItsOutput() throws IOException {
        Path jdk = fakeJdk("echo \"fake cassandra: cannot bind\"; exit 3");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CassandraNode.start(CassandraNode.Options.of(tmp.resolve("node")).withJavaHome(jdk)));
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("fake cassandra: cannot bind"), e.getMessage());
    }

    @Test
    void childThatNeverAnswersTimesOutAndIsStopped() throws IOException {
        // Like CassandraChildMain, the fake exits once its stdin reaches EOF.
        Path jdk = fakeJdk("echo \"fake cassandra: stuck\"; echo $$ > \"$PWD/fake.pid\"; exec cat > /dev/null");
        Path dataDir = tmp.resolve("node");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CassandraNode.start(CassandraNode.Options.of(dataDir).withJavaHome(jdk)
                        .withStartupTimeout(Duration.ofSeconds(1))));
        assertTrue(e.getMessage().contains("did not answer CQL within PT1S"), e.getMessage());
        assertTrue(e.getMessage().contains("fake cassandra: stuck"), e.getMessage());
        long pid = Long.parseLong(Files.readString(dataDir.resolve("fake.pid")).trim());
        Optional<ProcessHandle> child = ProcessHandle.of(pid);
        assertFalse(child.map(ProcessHandle::isAlive).orElse(false), "fake child " + pid + " still running");
    }

    private Path fakeJdk(String script) throws IOException {
        Path java = tmp.resolve("jdk/bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tmp.resolve("jdk");
    }
}
