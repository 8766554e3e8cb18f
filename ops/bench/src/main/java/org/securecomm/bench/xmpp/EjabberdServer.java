package org.securecomm.bench.xmpp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.securecomm.bench.ListenPorts;
import org.securecomm.ops.turn.NativePackage;
import org.securecomm.ops.turn.WatchedChild;

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

    private final EjabberdConfig config;
    private final WatchedChild beam;
    private final EjabberdApi api;

    private EjabberdServer(EjabberdConfig config, WatchedChild beam) {
        this.config = config;
        this.beam = beam;
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
        WatchedChild watcher;
        try {
            Path dir = Files.createTempDirectory("securecomm-ejabberd-");
            config = new EjabberdConfig(DOMAIN, ListenPorts.free(), ListenPorts.free(), options.backlog(), dir, options.extraConfig());
            Files.createDirectories(config.spool());
            Files.createDirectories(config.logDir());
            Files.writeString(config.file(), config.render(), StandardCharsets.UTF_8);
            int processes = Math.max(262_144, 4 * options.maxConnections());
            int ports = Math.max(65_536, 2 * options.maxConnections() + 1024);
            watcher = WatchedChild.start("ejabberd", List.of(erl.toString(), "+K", "true", "+P", Integer.toString(processes),
                    "+Q", Integer.toString(ports), "-noinput", "-mnesia", "dir", '"' + config.spool().toString() + '"', "-s", "ejabberd"),
                    dir, Map.of("EJABBERD_CONFIG_PATH", config.file().toString(), "EJABBERD_LOG_PATH", config.log().toString(),
                            "ERL_LIBS", libs.toString(), "ERL_CRASH_DUMP", config.logDir().resolve("erl_crash.dump").toString(),
                            "ERL_CRASH_DUMP_BYTES", "0", "HOME", dir.toString()),
                    config.stdout(), config.pidFile(), STOP_TIMEOUT, () -> WatchedChild.deleteTree(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ejabberd with " + erl, e);
        }
        EjabberdServer server = new EjabberdServer(config, watcher);
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
        return beam.pid();
    }

    public boolean isAlive() {
        return beam.isAlive();
    }

    /** Stops ejabberd (SIGTERM through the watcher, SIGKILL after 20 s), waits for it and deletes its directory. Idempotent. */
    @Override
    public void close() {
        beam.stop();
    }

    private void awaitReady(Duration timeout) {
        beam.awaitReady(timeout, () -> listening(config.c2sPort()) && listening(config.apiPort()),
                "listening on ports " + config.c2sPort() + " and " + config.apiPort()).ifPresent(why -> {
                    throw new IllegalStateException(WatchedChild.withLogTails("ejabberd (config " + config.file() + ") " + why,
                            List.of(config.log(), config.stdout()), TAIL_LINES));
                });
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 300);
            return true;
        } catch (IOException e) {
            return false;
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
