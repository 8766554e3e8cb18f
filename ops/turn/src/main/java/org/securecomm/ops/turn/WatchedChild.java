package org.securecomm.ops.turn;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A native server (coturn, ejabberd) that never outlives this JVM: it runs under a watcher shell
 * that sends it SIGTERM when the shell's stdin (a pipe held by this JVM) reaches EOF, which the
 * kernel also causes when this JVM is killed with SIGKILL. The shell writes the server's pid to a
 * file, so CPU and memory figures are the server's, not the shell's. A shutdown hook stops it on a
 * normal exit of this JVM.
 */
public final class WatchedChild {

    private static final System.Logger LOG = System.getLogger(WatchedChild.class.getName());
    /** {@code $0 $@} the server's command line; PIDFILE from the environment. The background job's stdin is /dev/null (POSIX). */
    private static final String WATCHER = "\"$0\" \"$@\" & p=$!; echo \"$p\" > \"$PIDFILE\"; "
            + "cat > /dev/null; kill \"$p\" 2>/dev/null; wait \"$p\"";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final String name;
    private final Process watcher;
    private final OutputStream watcherStdin;
    private final Path pidFile;
    private final Duration stopTimeout;
    private final Runnable afterStop;
    private final Thread shutdownHook;
    private volatile ProcessHandle child;
    private boolean stopped;

    private WatchedChild(String name, Process watcher, Path pidFile, Duration stopTimeout, Runnable afterStop) {
        this.name = name;
        this.watcher = watcher;
        this.watcherStdin = watcher.getOutputStream();
        this.pidFile = pidFile;
        this.stopTimeout = stopTimeout;
        this.afterStop = afterStop;
        this.shutdownHook = new Thread(this::stop, name + "-shutdown-" + watcher.pid());
    }

    /**
     * Starts {@code command} in {@code dir} with {@code environment} added, its output appended to
     * {@code output}; the watcher writes the server's pid to {@code pidFile}. {@link #stop} waits
     * {@code stopTimeout} for SIGTERM to work, then runs {@code afterStop} (e.g. deleting {@code dir}).
     */
    public static WatchedChild start(String name, List<String> command, Path dir, Map<String, String> environment, Path output,
                                     Path pidFile, Duration stopTimeout, Runnable afterStop) throws IOException {
        Files.deleteIfExists(pidFile);
        List<String> shell = new ArrayList<>(List.of("sh", "-c", WATCHER));
        shell.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(shell).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("PIDFILE", pidFile.toString());
        WatchedChild started = new WatchedChild(name, builder.start(), pidFile, stopTimeout, afterStop);
        Runtime.getRuntime().addShutdownHook(started.shutdownHook);
        return started;
    }

    /** The server's pid, -1 until the watcher has written it. */
    public long pid() {
        return handle().map(ProcessHandle::pid).orElse(-1L);
    }

    public boolean isAlive() {
        return handle().map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Polls {@code ready} until it holds; answers empty then, or why not: the server exited, or
     * {@code timeout} passed (the caller adds its logs).
     */
    public Optional<String> awaitReady(Duration timeout, BooleanSupplier ready, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ProcessHandle> server = handle();
            if (!watcher.isAlive() || (server.isPresent() && !server.get().isAlive())) {
                return Optional.of("exited before " + what);
            }
            if (server.isPresent() && ready.getAsBoolean()) {
                return Optional.empty();
            }
            if (System.nanoTime() - deadline > 0) {
                return Optional.of("did not get to " + what + " within " + timeout);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("start was interrupted");
            }
        }
    }

    /** SIGTERM through the watcher, SIGKILL after the stop timeout, waits for both, then the after-stop action. Idempotent. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            terminate(stopTimeout);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down (we may be running inside the hook itself).
            }
            afterStop.run();
        }
    }

    private void terminate(Duration timeout) {
        Optional<ProcessHandle> server = handle();
        try {
            watcherStdin.close();
        } catch (IOException e) {
            // The pipe is already broken: the watcher is exiting anyway.
        }
        try {
            if (!watcher.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "{0} pid {1,number,#} did not stop within {2}; killing it", name, pid(), timeout);
            }
            server.ifPresent(p -> killAndWait(p, timeout));
            watcher.destroyForcibly();
            watcher.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            server.ifPresent(ProcessHandle::destroyForcibly);
            watcher.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void killAndWait(ProcessHandle process, Duration timeout) {
        if (!process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "{0} pid {1,number,#} survived SIGKILL for {2}", name, process.pid(), timeout);
        }
    }

    private Optional<ProcessHandle> handle() {
        ProcessHandle known = child;
        if (known != null) {
            return Optional.of(known);
        }
        try {
            String pid = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
            if (pid.isEmpty()) {
                return Optional.empty();
            }
            // Held after the first look-up: a handle stays tied to that process even once it exits.
            Optional<ProcessHandle> found = ProcessHandle.of(Long.parseLong(pid));
            found.ifPresent(h -> child = h);
            return found;
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code message} followed by the last {@code lines} lines of each log that exists. */
    public static String withLogTails(String message, List<Path> logs, int lines) {
        StringBuilder msg = new StringBuilder(message);
        for (Path log : logs) {
            try {
                List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                if (!all.isEmpty()) {
                    msg.append(System.lineSeparator()).append("--- last lines of ").append(log).append(" ---");
                    all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> msg.append(System.lineSeparator()).append(l));
                }
            } catch (IOException e) {
                // no such log (yet)
            }
        }
        return msg.toString();
    }

    public static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot delete {0}: {1}", dir, e);
        }
    }
}
