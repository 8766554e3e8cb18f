package org.securecomm.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.cassandra.config.Config;
import org.apache.cassandra.config.YamlConfigurationLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, resolved config, generated files and command line; no Cassandra process is started. */
final class NodeConfigTest {

    @TempDir
    Path tmp;

    @Test
    void optionsDefaultsAndWithers() {
        CassandraNode.Options o = CassandraNode.Options.of(tmp);
        assertEquals(0, o.nativePort());
        assertEquals(0, o.storagePort());
        assertEquals("512m", o.maxHeap());
        assertEquals(Optional.empty(), o.javaHome());
        assertEquals(Duration.ofSeconds(120), o.startupTimeout());

        CassandraNode.Options changed = o.withNativePort(19042).withStoragePort(17000).withMaxHeap("1g")
                .withJavaHome(Path.of("/opt/jdk")).withStartupTimeout(Duration.ofSeconds(5));
        assertEquals(new CassandraNode.Options(tmp, "127.0.0.1", 19042, 17000, "1g", Optional.of(Path.of("/opt/jdk")),
                Duration.ofSeconds(5)), changed);
        assertEquals("10.213.0.254", o.withHost("10.213.0.254").host());
    }

    @Test
    void optionsRejectNonsense() {
        CassandraNode.Options o = CassandraNode.Options.of(tmp);
        assertThrows(NullPointerException.class, () -> CassandraNode.Options.of(null));
        assertThrows(IllegalArgumentException.class, () -> o.withNativePort(-1));
        assertThrows(IllegalArgumentException.class, () -> o.withStoragePort(70_000));
        assertThrows(IllegalArgumentException.class, () -> o.withMaxHeap("lots"));
        assertThrows(IllegalArgumentException.class, () -> o.withStartupTimeout(Duration.ZERO));
    }

    @Test
    void portZeroResolvesToDistinctFreeLoopbackPorts() throws IOException {
        NodeConfig c = NodeConfig.resolve(CassandraNode.Options.of(tmp));
        assertTrue(c.nativePort() > 0 && c.nativePort() <= 65_535);
        assertTrue(c.storagePort() > 0 && c.storagePort() <= 65_535);
        assertNotEquals(c.nativePort(), c.storagePort());
        for (int port : new int[] {c.nativePort(), c.storagePort()}) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertEquals(port, s.getLocalPort());
            }
        }
    }

    @Test
    void explicitPortsAreKept() {
        NodeConfig c = NodeConfig.resolve(CassandraNode.Options.of(tmp).withNativePort(19042).withStoragePort(17000));
        assertEquals(19042, c.nativePort());
        assertEquals(17000, c.storagePort());
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.resolve(
                CassandraNode.Options.of(tmp).withNativePort(19042).withStoragePort(19042)));
    }

    @Test
    void yamlIsAcceptedByCassandra509sOwnLoader() throws Exception {
        NodeConfig c = config(tmp.resolve("it's data"));
        ConfigFiles.write(c);

        // The real loader rejects unknown or misspelled keys, so this pins the 5.0 key names.
        Config loaded = new YamlConfigurationLoader().loadConfig(c.cassandraYaml().toUri().toURL());
        assertEquals("securecomm-dev", loaded.cluster_name);
        assertEquals(1, loaded.num_tokens);
        assertEquals("org.apache.cassandra.dht.Murmur3Partitioner", loaded.partitioner);
        assertEquals(Config.CommitLogSync.periodic, loaded.commitlog_sync);
        assertEquals(10_000, loaded.commitlog_sync_period.toMilliseconds());
        assertEquals("127.0.0.1", loaded.listen_address);
        assertEquals("127.0.0.1", loaded.rpc_address);
        assertEquals(17001, loaded.storage_port);
        assertEquals(19043, loaded.native_transport_port);
        assertTrue(loaded.start_native_transport);
        assertEquals("SimpleSnitch", loaded.endpoint_snitch);
        assertFalse(loaded.auto_snapshot);
        assertFalse(loaded.hinted_handoff_enabled);
        assertEquals("127.0.0.1:17001", loaded.seed_provider.parameters.get("seeds"));
        assertEquals(List.of(c.dataDir().resolve("data").toString()), List.of(loaded.data_file_directories));
        assertEquals(c.dataDir().resolve("commitlog").toString(), loaded.commitlog_directory);
        assertEquals(c.dataDir().resolve("hints").toString(), loaded.hints_directory);
        assertEquals(c.dataDir().resolve("saved_caches").toString(), loaded.saved_caches_directory);
        assertEquals(c.dataDir().resolve("cdc_raw").toString(), loaded.cdc_raw_directory);

        for (String sub : ConfigFiles.DATA_SUBDIRS) {
            assertTrue(Files.isDirectory(c.dataDir().resolve(sub)), sub);
        }
        String logback = Files.readString(c.logbackXml());
        assertTrue(logback.contains("<file>" + c.systemLog() + "</file>"), logback);
        assertFalse(logback.contains("ConsoleAppender"), "nothing goes to the console");
    }

    @Test
    void childCommandLine() {
        NodeConfig c = config(tmp);
        Path own = tmp.resolve("launcher.jar");
        List<String> cmd = ChildCommand.build(c, List.of(tmp.resolve("cassandra-all-5.0.9.jar"), own));
        assertEquals(c.javaExecutable().toString(), cmd.get(0));
        assertEquals(List.of("-Xms64m", "-Xmx512m", "-XX:+UseG1GC"), cmd.subList(1, 4));
        assertTrue(cmd.containsAll(ChildCommand.JVM17_SERVER_OPTIONS));
        assertTrue(cmd.contains("-Dcassandra.config=" + c.cassandraYaml().toUri()));
        assertTrue(cmd.contains("-Dcassandra.storagedir=" + c.dataDir()));
        assertTrue(cmd.contains("-Dcassandra.logdir=" + c.dataDir().resolve("logs")));
        assertTrue(cmd.contains("-Dcassandra-foreground=yes"));
        assertTrue(cmd.contains("-Dcassandra.skip_wait_for_gossip_to_settle=0"));
        assertTrue(cmd.contains("-Dlogback.configurationFile=" + c.logbackXml()));
        int cp = cmd.indexOf("-cp");
        assertTrue(cmd.get(cp + 1).endsWith(java.io.File.pathSeparator + own));
        assertEquals(CassandraChildMain.class.getName(), cmd.get(cmd.size() - 1));
    }

    @Test
    void classpathResourceListsExistingCassandraJarsPlusOwnClasses() {
        List<Path> cp = ChildClasspath.resolve();
        assertTrue(cp.stream().anyMatch(p -> p.getFileName().toString().equals("cassandra-all-5.0.9.jar")), cp.toString());
        assertTrue(cp.stream().allMatch(Files::exists));
        Path own = cp.get(cp.size() - 1);
        assertTrue(Files.exists(own.resolve(CassandraChildMain.class.getName().replace('.', '/') + ".class"))
                || own.toString().endsWith(".jar"), own.toString());
    }

    @Test
    void missingJarsFailWithTheBuildCommand() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ChildClasspath.cassandraJars(tmp.resolve("cassandra-all-5.0.9.jar").toString()));
        assertTrue(e.getMessage().contains("./mvnw -pl ops/cassandra -am install"), e.getMessage());
    }

    @Test
    void javaHomeIsTheRunningJvmWhenItIs11Or17() {
        Path running = Path.of("/running/jdk");
        assertEquals(running, JavaHomes.select(Optional.empty(), running, 17, tmp));
        assertEquals(running, JavaHomes.select(Optional.empty(), running, 11, tmp));
    }

    @Test
    void javaHomeFallsBackToAnInstalledJava17OnNewerJvms() throws IOException {
        Path other = fakeJdk(tmp.resolve("java-17-temurin"), null);
        assertEquals(other, JavaHomes.select(Optional.empty(), Path.of("/jdk25"), 25, tmp));
        Path preferred = fakeJdk(tmp.resolve("java-17-openjdk-amd64"), null);
        assertEquals(preferred, JavaHomes.select(Optional.empty(), Path.of("/jdk25"), 25, tmp));
    }

    @Test
    void noUsableJavaIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JavaHomes.select(Optional.empty(), Path.of("/jdk21"), 21, tmp));
        assertTrue(e.getMessage().contains("Java 11 or 17"), e.getMessage());
    }

    @Test
    void explicitJavaHomeIsCheckedAgainstItsReleaseFile() throws IOException {
        Path jdk17 = fakeJdk(tmp.resolve("a"), "17.0.15");
        assertEquals(jdk17, JavaHomes.select(Optional.of(jdk17), Path.of("/x"), 25, tmp));
        Path jdk21 = fakeJdk(tmp.resolve("b"), "21.0.2");
        assertThrows(IllegalStateException.class, () -> JavaHomes.select(Optional.of(jdk21), Path.of("/x"), 17, tmp));
        assertThrows(IllegalStateException.class,
                () -> JavaHomes.select(Optional.of(tmp.resolve("nothing")), Path.of("/x"), 17, tmp));
    }

    @Test
    void cliParsesDataDirAndPort() {
        CassandraNode.Options o = CassandraNodeMain.parse(new String[] {"--data-dir", "/tmp/x", "--port", "19042"});
        assertEquals(Path.of("/tmp/x"), o.dataDir());
        assertEquals(19042, o.nativePort());
        assertEquals(0, CassandraNodeMain.parse(new String[] {"--data-dir", "d"}).nativePort());
        assertThrows(IllegalArgumentException.class, () -> CassandraNodeMain.parse(new String[] {"--port", "1"}));
        assertThrows(IllegalArgumentException.class, () -> CassandraNodeMain.parse(new String[] {"--data-dir"}));
    }

    @Test
    void logTailReturnsOnlyLinesWrittenSinceTheOffset() throws IOException {
        Path log = tmp.resolve("x.log");
        Files.writeString(log, "old 1\nold 2\n");
        long offset = Files.size(log);
        StringBuilder fresh = new StringBuilder();
        for (int i = 1; i <= 50; i++) {
            fresh.append("new ").append(i).append('\n');
        }
        Files.writeString(log, fresh, java.nio.file.StandardOpenOption.APPEND);
        List<String> tail = LogTail.lastLines(log, offset, 40);
        assertEquals(40, tail.size());
        assertEquals("new 11", tail.get(0));
        assertEquals("new 50", tail.get(39));
        assertEquals(List.of(), LogTail.lastLines(tmp.resolve("absent.log"), 0, 40));
    }

    private NodeConfig config(Path dataDir) {
        return new NodeConfig(dataDir.toAbsolutePath(), "127.0.0.1", 19043, 17001, "512m", Path.of("/jdk17"), Duration.ofSeconds(9));
    }

    /** A directory that looks like a JDK: an executable bin/java and, optionally, a release file. */
    static Path fakeJdk(Path home, String javaVersion) throws IOException {
        Path java = home.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (javaVersion != null) {
            Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + javaVersion + "\"\n");
        }
        return home;
    }
}
