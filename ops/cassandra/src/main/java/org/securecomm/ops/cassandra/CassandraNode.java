package org.securecomm.ops.cassandra;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real Cassandra 5.0 node running in a child JVM, for the relay's dev mode and for tests.
 *
 * <p>{@link #start} returns once the node answers the CQL native protocol. The child dies with
 * this JVM: it exits when its stdin reaches EOF, which also happens when this process is killed
 * with SIGKILL. Data under {@link Options#dataDir()} survives restarts.
 */
public final class CassandraNode implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CassandraNode.class.getName());
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int TAIL_LINES = 40;

    private final NodeConfig config;
    private final Process process;
    private final OutputStream childStdin;
    private final DataDirLock lock;
    private final Thread shutdownHook;
    private boolean closed;

    private CassandraNode(NodeConfig config, Process process, DataDirLock lock) {
        this.config = config;
        this.process = process;
        this.childStdin = process.getOutputStream();
        this.lock = lock;
        this.shutdownHook = new Thread(this::close, "cassandra-node-shutdown-" + process.pid());
    }

    /** Starts a node and waits until it answers CQL; throws IllegalStateException with its log if not. */
    public static CassandraNode start(Options options) {
        Objects.requireNonNull(options, "options");
        NodeConfig config = NodeConfig.resolve(options);
        List<Path> classpath = ChildClasspath.resolve();
        DataDirLock lock = DataDirLock.acquire(config.dataDir());
        long stdoutOffset;
        long systemLogOffset;
        long startNanos = System.nanoTime();
        Process process;
        try {
            ConfigFiles.write(config);
            stdoutOffset = LogTail.sizeOf(config.stdoutLog());
            systemLogOffset = LogTail.sizeOf(config.systemLog());
            process = spawn(config, classpath);
        } catch (IOException | RuntimeException e) {
            lock.release();
            throw new IllegalStateException("cannot start Cassandra in " + config.dataDir() + " with "
                    + config.javaExecutable(), e);
        }
        CassandraNode node = new CassandraNode(config, process, lock);
        Runtime.getRuntime().addShutdownHook(node.shutdownHook);
        LOG.log(Level.DEBUG, "Cassandra child pid {0,number,#} starting (data in {1})",
                process.pid(), config.dataDir());
        try {
            node.awaitReady(stdoutOffset, systemLogOffset);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        LOG.log(Level.INFO, "Cassandra child pid {0,number,#} ready on {1}:{2,number,#} in {3,number,#} ms"
                + " (data in {4})", process.pid(), config.host(), config.nativePort(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), config.dataDir());
        return node;
    }

    /** Child output goes to stdout.log, never to our console; its stdin stays a pipe we hold. */
    private static Process spawn(NodeConfig config, List<Path> classpath) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ChildCommand.build(config, classpath))
                .directory(config.dataDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(config.stdoutLog().toFile()));
        builder.environment().putAll(ChildCommand.ENVIRONMENT);
        return builder.start();
    }

    public String host() {
        return config.host();
    }

    public int nativePort() {
        return config.nativePort();
    }

    public int storagePort() {
        return config.storagePort();
    }

    public Path dataDir() {
        return config.dataDir();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Stops the node: closing the child's stdin makes it exit, and Cassandra's shutdown hook drains
     * it. Kills it if it is still running after 60 s. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            childStdin.close();
        } catch (IOException e) {
            // The pipe is already broken: the child is exiting anyway.
        }
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, "Cassandra child pid {0,number,#} did not stop within {1}; killing it",
                        process.pid(), STOP_TIMEOUT);
                process.destroyForcibly();
                process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            lock.release();
            removeShutdownHook();
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down (we may be running inside the hook itself).
        }
    }

    private void awaitReady(long stdoutOffset, long systemLogOffset) {
        long deadline = System.nanoTime() + config.startupTimeout().toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw failure("exited with code " + process.exitValue() + " before answering CQL",
                        stdoutOffset, systemLogOffset);
            }
            if (NativeProtocolProbe.answersOptions(config.host(), config.nativePort(), PROBE_TIMEOUT)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw failure("did not answer CQL within " + config.startupTimeout(),
                        stdoutOffset, systemLogOffset);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("start was interrupted", stdoutOffset, systemLogOffset);
            }
        }
    }

    private IllegalStateException failure(String what, long stdoutOffset, long systemLogOffset) {
        StringBuilder msg = new StringBuilder()
                .append("Cassandra child pid ").append(process.pid()).append(' ').append(what)
                .append(" (").append(config.host()).append(':').append(config.nativePort())
                .append(", data in ").append(config.dataDir()).append(')');
        appendTail(msg, config.systemLog(), systemLogOffset);
        appendTail(msg, config.stdoutLog(), stdoutOffset);
        return new IllegalStateException(msg.toString());
    }

    private static void appendTail(StringBuilder msg, Path log, long offset) {
        List<String> lines = LogTail.lastLines(log, offset, TAIL_LINES);
        if (lines.isEmpty()) {
            return;
        }
        msg.append(System.lineSeparator()).append("--- last lines of ").append(log).append(" ---");
        lines.forEach(line -> msg.append(System.lineSeparator()).append(line));
    }

    /**
     * How to start a node. It listens on {@code host} (default 127.0.0.1; another local address when
     * clients in network namespaces must reach it). {@code nativePort}/{@code storagePort} 0 mean a free port there;
     * an empty {@code javaHome} means this JVM if it is Java 11 or 17, else an installed Java 17.
     */
    public record Options(Path dataDir, String host, int nativePort, int storagePort, String maxHeap,
                          Optional<Path> javaHome, Duration startupTimeout) {

        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final String DEFAULT_MAX_HEAP = "512m";
        public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);
        private static final Pattern HEAP_SIZE = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

        public Options {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(host, "host");
            checkPort("nativePort", nativePort);
            checkPort("storagePort", storagePort);
            Objects.requireNonNull(maxHeap, "maxHeap");
            if (!HEAP_SIZE.matcher(maxHeap).matches()) {
                throw new IllegalArgumentException("maxHeap must look like 512m or 1g, not " + maxHeap);
            }
            Objects.requireNonNull(javaHome, "javaHome");
            Objects.requireNonNull(startupTimeout, "startupTimeout");
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
            }
        }

        /** Defaults: free ports, 512m heap, automatic Java selection, 120 s startup timeout. */
        public static Options of(Path dataDir) {
            return new Options(dataDir, DEFAULT_HOST, 0, 0, DEFAULT_MAX_HEAP, Optional.empty(), DEFAULT_STARTUP_TIMEOUT);
        }

        public Options withHost(String address) {
            return new Options(dataDir, address, nativePort, storagePort, maxHeap, javaHome, startupTimeout);
        }

        public Options withNativePort(int port) {
            return new Options(dataDir, host, port, storagePort, maxHeap, javaHome, startupTimeout);
        }

        public Options withStoragePort(int port) {
            return new Options(dataDir, host, nativePort, port, maxHeap, javaHome, startupTimeout);
        }

        public Options withMaxHeap(String heap) {
            return new Options(dataDir, host, nativePort, storagePort, heap, javaHome, startupTimeout);
        }

        public Options withJavaHome(Path home) {
            return new Options(dataDir, host, nativePort, storagePort, maxHeap, Optional.of(home), startupTimeout);
        }

        public Options withStartupTimeout(Duration timeout) {
            return new Options(dataDir, host, nativePort, storagePort, maxHeap, javaHome, timeout);
        }

        private static void checkPort(String name, int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException(name + " must be 0 (free port) or 1-65535, not " + port);
            }
        }
    }
}
