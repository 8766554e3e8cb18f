package org.securecomm.ops.cassandra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The child JVM's command line. */
final class ChildCommand {

    /**
     * The JPMS and Netty lines of Cassandra 5.0's {@code conf/jvm17-server.options}. Without them
     * Cassandra dies on Java 17 (e.g. IllegalAccessException on DirectBuffer.cleaner). The G1
     * tuning lines of that file target large heaps and are left out on purpose.
     */
    static final List<String> JVM17_SERVER_OPTIONS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11");

    /** cassandra-env.sh exports this: fewer glibc malloc arenas, a smaller native footprint. */
    static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "4");

    private ChildCommand() {
    }

    static List<String> build(NodeConfig c, List<Path> classpath) {
        List<String> cmd = new ArrayList<>();
        cmd.add(c.javaExecutable().toString());
        // Small -Xms: as root Cassandra's mlockall makes the whole initial heap resident.
        cmd.add("-Xms64m");
        cmd.add("-Xmx" + c.maxHeap());
        cmd.add("-XX:+UseG1GC");
        // From Cassandra's jvm-server.options: small thread stacks, IPv4 loopback binding.
        cmd.add("-Xss256k");
        cmd.add("-Djava.net.preferIPv4Stack=true");
        // cassandra-env.sh's advice: a node must stop on OOM rather than risk corrupting data.
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.addAll(JVM17_SERVER_OPTIONS);
        cmd.add("-Dcassandra.config=" + c.cassandraYaml().toUri());
        cmd.add("-Dcassandra.storagedir=" + c.dataDir());
        cmd.add("-Dcassandra.logdir=" + c.logDir());
        cmd.add("-Dcassandra-foreground=yes");
        cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
        // A lone node has no peer to tell it is leaving: skip the 2 s wait after announcing shutdown.
        cmd.add("-Dcassandra.shutdown_announce_in_ms=0");
        cmd.add("-Dlogback.configurationFile=" + c.logbackXml());
        cmd.add("-cp");
        cmd.add(ChildClasspath.asClasspath(classpath));
        cmd.add(CassandraChildMain.class.getName());
        return List.copyOf(cmd);
    }
}
