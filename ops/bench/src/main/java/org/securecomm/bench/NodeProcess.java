package org.securecomm.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A dev relay node started for the benchmark: {@code bin/securecomm-relay dev} as a child
 * process with a fresh data directory and a free port, its output kept in a log file. Stopped
 * with SIGTERM (the node then stops its Cassandra too); killed if it does not stop in time.
 */
final class NodeProcess implements AutoCloseable {

    static final String MAIN_CLASS = "org.securecomm.relay.node.Main";
    static final String CASSANDRA_MAIN_CLASS = "org.securecomm.ops.cassandra.CassandraChildMain";
    private static final Pattern READY = Pattern.compile("SecureComm dev relay ready for (\\S+) at (wss?://\\S+)");
    private static final int ECHOED_WARNINGS = 20;

    private final Process process;
    private final Path workDir;
    private final Path log;
    private final boolean keepWorkDir;
    private volatile Path copyLogTo;
    private final CompletableFuture<URI> ready = new CompletableFuture<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final AtomicInteger warnings = new AtomicInteger();
    private volatile long nodePid;
    private volatile Long cassandraPid;
    private boolean stopped;
    private Thread pump;

    private NodeProcess(Process process, Path workDir, Path log, boolean keepWorkDir) {
        this.process = process;
        this.workDir = workDir;
        this.log = log;
        this.keepWorkDir = keepWorkDir;
        this.nodePid = process.pid();
    }

    /**
     * Starts {@code launcher dev --data-dir WORK/data --port FREE} with {@code SECURECOMM_JAVA_OPTS}
     * set to {@code javaOpts} and waits for its ready line.
     */
    static NodeProcess start(Path launcher, String javaOpts, boolean keepWorkDir, long readyTimeoutSeconds) throws IOException {
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("cannot run the relay launcher " + launcher
                    + ": give its path with --relay-launcher, or use --url to benchmark a running node");
        }
        Path workDir = Files.createTempDirectory("securecomm-bench-");
        Path log = workDir.resolve("node.log");
        int port = ListenPorts.free();
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "dev",
                "--data-dir", workDir.resolve("data").toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true);
        builder.environment().put("SECURECOMM_JAVA_OPTS", javaOpts);
        System.out.println("starting the relay node: " + launcher + " dev --port " + port + " (data and log in " + workDir + ")");
        System.out.println("  SECURECOMM_JAVA_OPTS=" + javaOpts);
        NodeProcess node = new NodeProcess(builder.start(), workDir, log, keepWorkDir);
        node.pump = new Thread(node::pumpOutput, "node-output");
        node.pump.setDaemon(true);
        node.pump.start();
        try {
            URI url = node.ready.get(readyTimeoutSeconds, TimeUnit.SECONDS);
            node.findPids();
            System.out.println("relay node ready at " + url + " (node pid " + node.nodePid
                    + (node.cassandraPid != null ? ", Cassandra pid " + node.cassandraPid : "") + ")");
            return node;
        } catch (Exception e) {
            String reason = e instanceof java.util.concurrent.TimeoutException
                    ? "did not print its ready line within " + readyTimeoutSeconds + " s"
                    : e.getCause() != null ? e.getCause().getMessage() : e.toString();
            System.err.println("the relay node " + reason + "; last lines of " + log + ":");
            node.lastLines().forEach(line -> System.err.println("  " + line));
            node.close();
            throw new IllegalStateException("the relay node did not start: " + reason, e);
        }
    }

    URI url() {
        return ready.getNow(null);
    }

    long nodePid() {
        return nodePid;
    }

    Optional<Long> cassandraPid() {
        return Optional.ofNullable(cassandraPid);
    }

    Path log() {
        return log;
    }

    /** Where to copy the node's log when it stops (the work directory is deleted). */
    void copyLogTo(Path destination) {
        this.copyLogTo = destination;
    }

    int warnings() {
        return warnings.get();
    }

    boolean isAlive() {
        return ProcessHandle.of(nodePid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The launcher execs java, so its pid is the node's; if not, find the JVM among its descendants. */
    private void findPids() {
        ProcessHandle launcher = process.toHandle();
        if (!commandLine(launcher).contains(MAIN_CLASS)) {
            launcher.descendants().filter(p -> commandLine(p).contains(MAIN_CLASS)).findFirst()
                    .ifPresent(p -> nodePid = p.pid());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cassandraPid == null && System.nanoTime() < deadline) {
            launcher.descendants().filter(p -> commandLine(p).contains(CASSANDRA_MAIN_CLASS)).findFirst()
                    .ifPresent(p -> cassandraPid = p.pid());
            if (cassandraPid == null) {
                sleep(100);
            }
        }
    }

    /** The full command line: /proc/PID/cmdline (ProcessHandle.Info drops very long ones, like Cassandra's). */
    static String commandLine(ProcessHandle process) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException | RuntimeException e) {
            ProcessHandle.Info info = process.info();
            return info.commandLine().orElseGet(() -> info.command().orElse("")
                    + info.arguments().map(args -> " " + String.join(" ", args)).orElse(""));
        }
    }

    /** For --url: the one local relay JVM and its Cassandra child, if they can be found. */
    static Optional<Long> findLocalNodePid() {
        List<ProcessHandle> nodes = ProcessHandle.allProcesses().filter(p -> commandLine(p).contains(MAIN_CLASS)).toList();
        return nodes.size() == 1 ? Optional.of(nodes.get(0).pid()) : Optional.empty();
    }

    static Optional<Long> findCassandraChild(long nodePid) {
        return ProcessHandle.of(nodePid).flatMap(node -> node.descendants()
                .filter(p -> commandLine(p).contains(CASSANDRA_MAIN_CLASS)).map(ProcessHandle::pid).findFirst());
    }

    private void pumpOutput() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                writer.write(line);
                writer.newLine();
                writer.flush();
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 40) {
                        tail.removeFirst();
                    }
                }
                Matcher m = READY.matcher(line);
                if (m.find()) {
                    ready.complete(URI.create(m.group(2)));
                } else if (isWarning(line)) {
                    int n = warnings.incrementAndGet();
                    if (n <= ECHOED_WARNINGS) {
                        System.out.println("  [node] " + line);
                    } else if (n == ECHOED_WARNINGS + 1) {
                        System.out.println("  [node] (further warnings only in " + log + ")");
                    }
                } else if (!ready.isDone() && !line.contains(" INFO ") && !line.contains("level=INFO")
                        && !line.contains(" DEBUG ") && !line.contains("level=DEBUG")) {
                    System.out.println("  [node] " + line); // build messages, "starting a dev relay..."
                }
            }
        } catch (IOException e) {
            // the node is gone
        } finally {
            ready.completeExceptionally(new IllegalStateException("the node exited"
                    + (process.isAlive() ? "" : " with code " + process.exitValue())));
        }
    }

    /** Logback lines of level WARN or ERROR (plain "... WARN ..." or key=value "level=WARN"), stack traces. */
    static boolean isWarning(String line) {
        return line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("level=WARN") || line.contains("level=ERROR")
                || line.startsWith("Exception") || line.startsWith("WARNING:") || line.startsWith("SEVERE:");
    }

    List<String> lastLines() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** SIGTERM, wait for the node (which stops Cassandra) to exit, kill whatever is left, delete the data. Idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        List<ProcessHandle> family = Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants()).toList();
        if (process.isAlive()) {
            System.out.println("stopping the relay node (SIGTERM to pid " + process.pid() + ")...");
            process.destroy(); // SIGTERM: the node's shutdown hook closes the relay, then Cassandra
        }
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                System.err.println("the relay node did not stop within 120 s: killing it");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // Cassandra exits when the node's end of its stdin closes; make sure, then kill stragglers.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (ProcessHandle p : family) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                sleep(200);
            }
            if (p.isAlive()) {
                System.err.println("killing leftover process " + p.pid() + " " + commandLine(p).split(" ")[0]);
                p.destroyForcibly();
            }
        }
        try {
            pump.join(5000); // the last lines ("stopped")
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (copyLogTo != null) {
            try {
                Files.copy(log, copyLogTo, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                System.out.println("the node's log is in " + copyLogTo);
            } catch (IOException e) {
                System.err.println("could not copy the node's log to " + copyLogTo + ": " + e.getMessage());
            }
        }
        if (!keepWorkDir) {
            deleteTree(workDir);
        } else {
            System.out.println("kept the node's data and log in " + workDir);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }


    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
