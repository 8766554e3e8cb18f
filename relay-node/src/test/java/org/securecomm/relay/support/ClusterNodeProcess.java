package org.securecomm.relay.support;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One relay node of a test cluster as a separate JVM: {@code Main run -Dconfig.file=NODE.conf}
 * on the test classpath, its output appended to {@code node-N.log} (kept across restarts, for
 * diagnosis). Its ports are fixed when it is created, so a restarted node keeps its client URL
 * and its cluster address.
 */
public final class ClusterNodeProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("SecureComm relay ready for (\\S+) at (wss?://\\S+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final int index;
    public final int httpPort;
    public final int mediaPort;
    public final int clusterPort;
    public final int managementPort;
    private final Path config;
    private final Path log;
    private final List<String> jvmOptions;
    private final Deque<String> tail = new ArrayDeque<>();
    private volatile Process process;
    private volatile CompletableFuture<String> ready;
    private volatile Thread pump;

    ClusterNodeProcess(int index, int httpPort, int mediaPort, int clusterPort, int managementPort, Path config, Path log,
                       List<String> jvmOptions) {
        this.index = index;
        this.httpPort = httpPort;
        this.mediaPort = mediaPort;
        this.clusterPort = clusterPort;
        this.managementPort = managementPort;
        this.config = config;
        this.log = log;
        this.jvmOptions = jvmOptions;
    }

    /** Starts the JVM and waits until it prints its ready line (it is then an Up member). */
    public synchronized ClusterNodeProcess start(Duration timeout) {
        if (isAlive()) {
            throw new IllegalStateException("node " + index + " is running");
        }
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dconfig.file=" + config,
                "-Dlogback.configurationFile=" + config.resolveSibling("logback-node.xml"),
                "org.securecomm.relay.node.Main", "run"));
        ready = new CompletableFuture<>();
        try {
            appendLog("==== starting node " + index + " (" + java.time.Instant.now() + ")");
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process started = process;
        CompletableFuture<String> startedReady = ready;
        pump = new Thread(() -> pump(started, startedReady), "node-" + index + "-output");
        pump.setDaemon(true);
        pump.start();
        try {
            startedReady.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (Exception e) {
            started.destroyForcibly();
            throw new IllegalStateException("node " + index + " did not become ready within " + timeout + " (" + e
                    + "); last lines of " + log + ":\n  " + String.join("\n  ", lastLines()), e);
        }
    }

    private void pump(Process from, CompletableFuture<String> readyLine) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter writer = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            String line;
            while ((line = reader.readLine()) != null) {
                writer.write(line);
                writer.newLine();
                writer.flush();
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > 30) {
                        tail.removeFirst();
                    }
                }
                Matcher ready = READY.matcher(line);
                if (ready.find()) {
                    readyLine.complete(ready.group(2));
                }
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            readyLine.completeExceptionally(new IllegalStateException("node " + index + " exited"));
        }
    }

    private synchronized void appendLog(String line) {
        try {
            Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The client WebSocket URL; the same after a restart. */
    public String url() {
        return "ws://127.0.0.1:" + httpPort + "/v1/websocket";
    }

    /** The node's cluster address, as seed nodes and members name it. */
    public String clusterAddress() {
        return "pekko://securecomm@127.0.0.1:" + clusterPort;
    }

    public boolean isAlive() {
        Process running = process;
        return running != null && running.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** SIGKILL: no shutdown hook, no handoff, no goodbye to the cluster. */
    public void kill9() {
        Process running = process;
        if (running != null && running.isAlive()) {
            appendLog("==== kill -9 of node " + index + " (" + java.time.Instant.now() + ")");
            running.toHandle().destroyForcibly();
            waitForExit(running, Duration.ofSeconds(30));
        }
    }

    /** SIGTERM (the coordinated shutdown: drain, hand off shards, leave), then waits for the JVM to exit. */
    public void stop(Duration timeout) {
        Process running = process;
        if (running != null && running.isAlive()) {
            appendLog("==== SIGTERM to node " + index + " (" + java.time.Instant.now() + ")");
            // Through the handle: Process.destroy() would also close our end of its output, losing the shutdown's log.
            running.toHandle().destroy();
            if (!waitForExit(running, timeout)) {
                appendLog("==== node " + index + " did not stop within " + timeout + ": killed");
                running.toHandle().destroyForcibly();
                waitForExit(running, Duration.ofSeconds(30));
            }
        }
    }

    /** The exit code of the last run, or null while it runs (or never ran). */
    public Integer exitCode() {
        Process last = process;
        return last == null || last.isAlive() ? null : last.exitValue();
    }

    private static boolean waitForExit(Process running, Duration timeout) {
        try {
            return running.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The node's Prometheus text, or "" when it does not answer. */
    public String metrics() {
        return get("http://127.0.0.1:" + httpPort + "/metrics");
    }

    /** The sum of all samples of {@code name} (any labels) in the node's metrics; 0 when absent. */
    public double metric(String name) {
        return metricSum(metrics(), name);
    }

    static double metricSum(String text, String name) {
        double sum = 0;
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? ([-+0-9.eE]+|NaN)$", Pattern.MULTILINE);
        Matcher m = sample.matcher(text);
        while (m.find()) {
            if (!m.group(2).equals("NaN")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    /** Pekko Management: this node's shard region of {@code typeName} (JSON), or "" when it does not answer. */
    public String shardRegion(String typeName) {
        return get("http://127.0.0.1:" + managementPort + "/cluster/shards/" + typeName);
    }

    /** Pekko Management: the members as this node sees them (JSON), or "". */
    public String members() {
        return get("http://127.0.0.1:" + managementPort + "/cluster/members");
    }

    private static String get(String url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** CPU time (user + system) of the running JVM in seconds; -1 when it is not running. */
    public double cpuSeconds() {
        return cpuSecondsOf(pid());
    }

    /** Resident set size of the running JVM in MiB; -1 when it is not running. */
    public double rssMib() {
        return rssMibOf(pid());
    }

    /** CPU time (user + system) of process {@code pid} in seconds, from /proc; -1 when it is gone. */
    public static double cpuSecondsOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5)), in clock ticks (100/s on Linux).
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size of process {@code pid} in MiB, from /proc; -1 when it is gone. */
    public static double rssMibOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    public List<String> lastLines() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(40));
    }
}
