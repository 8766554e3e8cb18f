package org.securecomm.ops.turn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real coturn TURN server on loopback, for the dev node and for tests of the TURN path of calls.
 *
 * <p>{@link #start} writes a config into a work directory (free listening port, a small free relay
 * port range, {@code use-auth-secret}), starts {@code turnserver} and returns once it answers a STUN
 * Binding request. coturn never outlives this JVM: it runs under a watcher shell that kills it when
 * the shell's stdin (a pipe held by this JVM) reaches EOF, which the kernel also causes when this JVM
 * is killed with SIGKILL; a shutdown hook covers normal exits.
 */
public final class CoturnServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CoturnServer.class.getName());
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(300);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int TAIL_LINES = 30;
    private final CoturnConfig config;
    private final WatchedChild turnserver;

    private CoturnServer(CoturnConfig config, WatchedChild turnserver) {
        this.config = config;
        this.turnserver = turnserver;
    }

    /** Whether coturn is installed here (no attempt to install it). */
    public static boolean installed() {
        return TurnServerBinary.find().isPresent();
    }

    /** Starts coturn with the defaults of {@link Options#defaults()} in a fresh temporary directory. */
    public static CoturnServer start() {
        return start(Options.defaults());
    }

    /** Starts coturn and waits until it answers STUN; IllegalStateException with its log if it does not. */
    public static CoturnServer start(Options options) {
        Objects.requireNonNull(options, "options");
        Path binary = TurnServerBinary.locate();
        InetAddress ip = address(options.listeningIp());
        boolean temporary = options.workDir().isEmpty();
        CoturnConfig config;
        WatchedChild watcher;
        try {
            Path dir = temporary ? Files.createTempDirectory("securecomm-coturn-") : options.workDir().get();
            Files.createDirectories(dir);
            int minPort = LoopbackPorts.udpRange(ip, options.relayPorts());
            config = new CoturnConfig(ip.getHostAddress(), LoopbackPorts.listeningPort(ip), ip.getHostAddress(),
                    minPort, minPort + options.relayPorts() - 1, options.realm(),
                    options.secret().orElseGet(CoturnServer::randomSecret), dir, options.relayThreads(), options.verbose());
            writePrivately(config.configFile(), config.render());
            watcher = WatchedChild.start("coturn", List.of(binary.toString(), "-c", config.configFile().toString()), dir, Map.of(),
                    config.stdoutFile(), config.childPidFile(), STOP_TIMEOUT, temporary ? () -> WatchedChild.deleteTree(dir) : () -> { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        CoturnServer server = new CoturnServer(config, watcher);
        long startNanos = System.nanoTime();
        try {
            server.awaitReady(options.startupTimeout());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.log(Level.INFO, "coturn pid {0,number,#} ready on {1} in {2,number,#} ms (relay ports {3,number,#}-{4,number,#},"
                        + " dir {5})", server.pid(), server.turnUrl(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), config.minPort(), config.maxPort(), config.dir());
        return server;
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The config holds the shared secret: readable by its owner only. */
    private static void writePrivately(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    public String host() {
        return config.listeningIp();
    }

    public int port() {
        return config.listeningPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(config.listeningIp(), config.listeningPort());
    }

    /** The URL devices get (client.v1 TurnCredentials.urls): {@code turn:127.0.0.1:PORT?transport=udp}. */
    public String turnUrl() {
        return "turn:" + config.listeningIp() + ":" + config.listeningPort() + "?transport=udp";
    }

    public String realm() {
        return config.realm();
    }

    /** The {@code static-auth-secret} shared with whoever issues credentials (the relay). */
    public String secret() {
        return config.secret();
    }

    public int minRelayPort() {
        return config.minPort();
    }

    public int maxRelayPort() {
        return config.maxPort();
    }

    public Path workDir() {
        return config.dir();
    }

    public Path logFile() {
        return config.logFile();
    }

    /** REST credentials for {@code id} valid for {@code ttl} from now, as the relay would issue them. */
    public TurnRestCredentials credentials(String id, Duration ttl) {
        return TurnRestCredentials.issue(config.secret(), id, Instant.now().plus(ttl));
    }

    /** The turnserver process (not its watcher shell). */
    public long pid() {
        return turnserver.pid();
    }

    public boolean isAlive() {
        return turnserver.isAlive();
    }

    /** Stops coturn (SIGTERM through the watcher, SIGKILL after 10 s) and waits for it. Idempotent. */
    @Override
    public void close() {
        turnserver.stop();
    }

    private void awaitReady(Duration timeout) {
        InetSocketAddress address = address();
        turnserver.awaitReady(timeout, () -> StunBindingProbe.answers(address, PROBE_TIMEOUT), "answering STUN")
                .ifPresent(why -> {
                    throw new IllegalStateException(WatchedChild.withLogTails("coturn (" + turnUrl() + ", dir " + config.dir() + ") " + why,
                            List.of(config.logFile(), config.stdoutFile()), TAIL_LINES));
                });
    }

    /**
     * How to start coturn. An empty {@code workDir} means a fresh temporary directory deleted on
     * close; an empty {@code secret} a random one.
     */
    public record Options(Optional<Path> workDir, String listeningIp, String realm, Optional<String> secret,
                          int relayPorts, Duration startupTimeout, int relayThreads, boolean verbose) {

        public static final String DEFAULT_REALM = "securecomm.test";
        public static final int DEFAULT_RELAY_PORTS = 20;
        /** Enough for thousands of allocations (one relay port each), well inside the 20,000-60,000 search range. */
        public static final int MAX_RELAY_PORTS = 20_000;
        /** coturn's own default: one relay thread per core. */
        public static final int DEFAULT_RELAY_THREADS = CoturnConfig.DEFAULT_RELAY_THREADS;
        public static final int MAX_RELAY_THREADS = 128;
        public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(20);

        public Options {
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(listeningIp, "listeningIp");
            Objects.requireNonNull(realm, "realm");
            Objects.requireNonNull(secret, "secret");
            if (relayPorts < 2 || relayPorts > MAX_RELAY_PORTS) {
                throw new IllegalArgumentException("relayPorts must be 2-" + MAX_RELAY_PORTS + ", not " + relayPorts);
            }
            if (startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
            }
            if (relayThreads != DEFAULT_RELAY_THREADS && (relayThreads < 0 || relayThreads > MAX_RELAY_THREADS)) {
                throw new IllegalArgumentException("relayThreads must be 0-" + MAX_RELAY_THREADS + " or DEFAULT_RELAY_THREADS, not "
                        + relayThreads);
            }
        }

        /** 127.0.0.1, realm securecomm.test, random secret, 20 relay ports, temporary directory, verbose log. */
        public static Options defaults() {
            return new Options(Optional.empty(), "127.0.0.1", DEFAULT_REALM, Optional.empty(), DEFAULT_RELAY_PORTS,
                    DEFAULT_STARTUP_TIMEOUT, DEFAULT_RELAY_THREADS, true);
        }

        /**
         * For a benchmark: {@code relayPorts} ports (at least one per allocation), {@code relayThreads}
         * relay threads, and no per-session log lines.
         */
        public static Options benchmark(int relayPorts, int relayThreads) {
            return defaults().withRelayPorts(relayPorts).withRelayThreads(relayThreads).withVerbose(false);
        }

        public Options withWorkDir(Path dir) {
            return new Options(Optional.of(dir), listeningIp, realm, secret, relayPorts, startupTimeout, relayThreads, verbose);
        }

        public Options withListeningIp(String ip) {
            return new Options(workDir, ip, realm, secret, relayPorts, startupTimeout, relayThreads, verbose);
        }

        public Options withRealm(String newRealm) {
            return new Options(workDir, listeningIp, newRealm, secret, relayPorts, startupTimeout, relayThreads, verbose);
        }

        public Options withSecret(String newSecret) {
            return new Options(workDir, listeningIp, realm, Optional.of(newSecret), relayPorts, startupTimeout, relayThreads, verbose);
        }

        public Options withRelayPorts(int count) {
            return new Options(workDir, listeningIp, realm, secret, count, startupTimeout, relayThreads, verbose);
        }

        public Options withStartupTimeout(Duration timeout) {
            return new Options(workDir, listeningIp, realm, secret, relayPorts, timeout, relayThreads, verbose);
        }

        /** coturn's {@code relay-threads}; 0 relays in the listener thread. */
        public Options withRelayThreads(int count) {
            return new Options(workDir, listeningIp, realm, secret, relayPorts, startupTimeout, count, verbose);
        }

        /** Whether coturn logs every session (allocate, refresh, close): on for tests, off for a benchmark. */
        public Options withVerbose(boolean on) {
            return new Options(workDir, listeningIp, realm, secret, relayPorts, startupTimeout, relayThreads, on);
        }
    }
}
