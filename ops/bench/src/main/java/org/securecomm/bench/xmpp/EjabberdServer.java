package org.securecomm.bench.xmpp;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.securecomm.ops.turn.NativePackage;

/**
 * A real ejabberd (Debian's package) on loopback for the side-by-side benchmark.
 *
 * <p>{@link #start} writes a config into a temporary directory (free ports, see {@link EjabberdConfig})
 * and runs {@code erl ... -s ejabberd} directly: no ejabberdctl, so no Erlang distribution, no epmd
 * daemon that would outlive it and no cookie. The VM runs under a watcher shell that sends it SIGTERM
 * when the shell's stdin (a pipe held by this JVM) reaches EOF, which the kernel also causes when this
 * JVM is killed with SIGKILL; a shutdown hook covers normal exits. SIGTERM is a graceful
 * {@code init:stop()} in OTP 20+.
 */
public final class EjabberdServer implements AutoCloseable {

    public static final String DOMAIN = "bench.local";
    static final String INSTALL_HINT = "install ejabberd (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends ejabberd)";
    private static final NativePackage EJABBERD = new NativePackage("ejabberdctl", List.of(Path.of("/usr/sbin/ejabberdctl")),
            "ejabberd", INSTALL_HINT);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int TAIL_LINES = 30;
    /** $0 erl, $@ its arguments; PIDFILE from the environment. */
    private static final String WATCHER = "\"$0\" \"$@\" & p=$!; echo \"$p\" > \"$PIDFILE\"; "
            + "cat > /dev/null; kill \"$p\" 2>/dev/null; wait \"$p\"";

    private final EjabberdConfig config;
    private final Process watcher;
    private final OutputStream watcherStdin;
    private final Thread shutdownHook;
    private final EjabberdApi api;
    private volatile ProcessHandle beam;
    private boolean closed;

    private EjabberdServer(EjabberdConfig config, Process watcher) {
        this.config = config;
        this.watcher = watcher;
        this.watcherStdin = watcher.getOutputStream();
        this.shutdownHook = new Thread(this::close, "ejabberd-shutdown-" + watcher.pid());
        this.api = new EjabberdApi(config.apiPort(), config.domain());
    }

    /** Whether ejabberd is installed here (no attempt to install it). */
    public static boolean installed() {
        return EJABBERD.find().isPresent();
    }

    /** Starts ejabberd and waits for its c2s and API ports; IllegalStateException with its log if it does not come up. */
    public static EjabberdServer start(Options options) {
        Objects.requireNonNull(options, "options");
        Path erl = options.erl().orElseGet(() -> {
            EJABBERD.locate(); // installs ejabberd (and Erlang with it) when missing and allowed
            return Path.of("/usr/bin/erl");
        });
        if (!Files.isExecutable(erl)) {
            throw new IllegalStateException("the Erlang runtime " + erl + " is not an executable: " + INSTALL_HINT);
        }
        Path libs = options.erlLibs().orElseGet(EjabberdServer::findErlLibs);
        if (!hasEjabberd(libs)) {
            throw new IllegalStateException("no ejabberd-<version> application in " + libs + ": " + INSTALL_HINT);
        }
        EjabberdConfig config;
        Process watcher;
        try {
            Path dir = Files.createTempDirectory("securecomm-ejabberd-");
            config = new EjabberdConfig(DOMAIN, freePort(), freePort(), options.backlog(), dir, options.extraConfig());
            Files.createDirectories(config.spool());
            Files.createDirectories(config.logDir());
            Files.writeString(config.file(), config.render(), StandardCharsets.UTF_8);
            int processes = Math.max(262_144, 4 * options.maxConnections());
            int ports = Math.max(65_536, 2 * options.maxConnections() + 1024);
            ProcessBuilder builder = new ProcessBuilder("sh", "-c", WATCHER, erl.toString(), "+K", "true",
                    "+P", Integer.toString(processes), "+Q", Integer.toString(ports), "-noinput",
                    "-mnesia", "dir", '"' + config.spool().toString() + '"', "-s", "ejabberd")
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(config.stdout().toFile()));
            builder.environment().put("PIDFILE", config.pidFile().toString());
            builder.environment().put("EJABBERD_CONFIG_PATH", config.file().toString());
            builder.environment().put("EJABBERD_LOG_PATH", config.log().toString());
            builder.environment().put("ERL_LIBS", libs.toString());
            builder.environment().put("ERL_CRASH_DUMP", config.logDir().resolve("erl_crash.dump").toString());
            builder.environment().put("ERL_CRASH_DUMP_BYTES", "0");
            builder.environment().put("HOME", dir.toString());
            watcher = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ejabberd with " + erl, e);
        }
        EjabberdServer server = new EjabberdServer(config, watcher);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        try {
            server.awaitReady(options.startupTimeout());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The directory of Debian's Erlang applications that holds ejabberd-VERSION (e.g. /usr/lib/x86_64-linux-gnu). */
    private static Path findErlLibs() {
        try (Stream<Path> dirs = Files.list(Path.of("/usr/lib"))) {
            List<Path> candidates = Stream.concat(dirs.filter(Files::isDirectory), Stream.of(Path.of("/usr/lib/erlang/lib"))).toList();
            return candidates.stream().filter(EjabberdServer::hasEjabberd).findFirst()
                    .orElseThrow(() -> new IllegalStateException("ejabberd is installed but its Erlang application (ejabberd-<version>)"
                            + " is in none of /usr/lib/*/ nor /usr/lib/erlang/lib: " + INSTALL_HINT));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /usr/lib", e);
        }
    }

    private static boolean hasEjabberd(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> p.getFileName().toString().matches("ejabberd-[0-9][0-9.\\-]*")
                    && Files.isDirectory(p.resolve("ebin")));
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public String domain() {
        return config.domain();
    }

    public int c2sPort() {
        return config.c2sPort();
    }

    public int apiPort() {
        return config.apiPort();
    }

    public Path workDir() {
        return config.dir();
    }

    /** The HTTP API (registration, offline counts, sessions). */
    public EjabberdApi api() {
        return api;
    }

    /** The beam.smp process (RSS, CPU), not its watcher shell; -1 before it is known. */
    public long pid() {
        return beamHandle().map(ProcessHandle::pid).orElse(-1L);
    }

    public boolean isAlive() {
        return beamHandle().map(ProcessHandle::isAlive).orElse(false);
    }

    /** Stops ejabberd (SIGTERM through the watcher, SIGKILL after 20 s), waits for it and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Optional<ProcessHandle> child = beamHandle();
        try {
            watcherStdin.close();
        } catch (IOException e) {
            // The pipe is already broken: the watcher is exiting anyway.
        }
        try {
            if (!watcher.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("ejabberd pid " + pid() + " did not stop within " + STOP_TIMEOUT + ": killing it");
            }
            child.ifPresent(EjabberdServer::killAndWait);
            watcher.destroyForcibly();
            watcher.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            child.ifPresent(ProcessHandle::destroyForcibly);
            watcher.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down (we may be running inside the hook itself).
            }
            deleteTree(config.dir());
        }
    }

    private static void killAndWait(ProcessHandle process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        try {
            process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("ejabberd pid " + process.pid() + " survived SIGKILL for " + STOP_TIMEOUT);
        }
    }

    private Optional<ProcessHandle> beamHandle() {
        ProcessHandle known = beam;
        if (known != null) {
            return Optional.of(known);
        }
        try {
            String pid = Files.readString(config.pidFile(), StandardCharsets.US_ASCII).strip();
            if (pid.isEmpty()) {
                return Optional.empty();
            }
            // Held after the first look-up: a handle stays tied to that process even once it exits.
            Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(pid));
            handle.ifPresent(h -> beam = h);
            return handle;
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ProcessHandle> child = beamHandle();
            if (!watcher.isAlive() || (child.isPresent() && !child.get().isAlive())) {
                throw failure("exited before listening");
            }
            if (child.isPresent() && listening(config.c2sPort()) && listening(config.apiPort())) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw failure("was not listening on ports " + config.c2sPort() + " and " + config.apiPort() + " within " + timeout);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("start was interrupted");
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private IllegalStateException failure(String what) {
        StringBuilder msg = new StringBuilder("ejabberd (c2s port ").append(config.c2sPort()).append(", config ")
                .append(config.file()).append(") ").append(what);
        for (Path log : List.of(config.log(), config.stdout())) {
            List<String> lines = lastLines(log);
            if (!lines.isEmpty()) {
                msg.append(System.lineSeparator()).append("--- last lines of ").append(log).append(" ---");
                lines.forEach(line -> msg.append(System.lineSeparator()).append(line));
            }
        }
        return new IllegalStateException(msg.toString());
    }

    private static List<String> lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // already gone
        }
    }

    /**
     * How to start ejabberd. Empty {@code erl}/{@code erlLibs}: Debian's (installed when missing);
     * {@code maxConnections} sizes the VM's process and port tables; {@code extraConfig} is appended
     * to ejabberd.yml (top-level options).
     */
    public record Options(Optional<Path> erl, Optional<Path> erlLibs, int maxConnections, int backlog, String extraConfig,
                          Duration startupTimeout) {

        public Options {
            Objects.requireNonNull(erl, "erl");
            Objects.requireNonNull(erlLibs, "erlLibs");
            Objects.requireNonNull(extraConfig, "extraConfig");
            if (maxConnections < 1 || backlog < 1) {
                throw new IllegalArgumentException("maxConnections and backlog must be positive");
            }
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
            }
        }

        public static Options defaults() {
            return new Options(Optional.empty(), Optional.empty(), 20_000, 4096, "", Duration.ofSeconds(60));
        }

        public Options withErl(Path path) {
            return new Options(Optional.of(path), erlLibs, maxConnections, backlog, extraConfig, startupTimeout);
        }

        public Options withMaxConnections(int count) {
            return new Options(erl, erlLibs, count, backlog, extraConfig, startupTimeout);
        }

        public Options withExtraConfig(String yaml) {
            return new Options(erl, erlLibs, maxConnections, backlog, yaml, startupTimeout);
        }
    }
}
