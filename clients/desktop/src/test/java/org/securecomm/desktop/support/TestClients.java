package org.securecomm.desktop.support;

import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.FederatedClusters;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.ops.turn.CoturnServer;
import org.securecomm.relay.support.TestRelays;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.securecomm.client.ClientOptions;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.RequestVerificationCode;
import org.securecomm.relay.node.RelayNode;

/** Real client devices for end-to-end tests: real profiles (cheap Argon2id), real relay, real libsignal. */
public final class TestClients {

    public static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
    /** Verification codes of the shared relay. */
    public static final CapturingCodeSender CODES = new CapturingCodeSender();

    private TestClients() {
    }

    public static ClientOptions options() {
        return ClientOptions.defaults().withKdf(1024, 1);
    }

    /**
     * Starts a relay on the shared Cassandra and waits until its persistence answers in time: the
     * first writes to a fresh Cassandra can exceed the relay's ask timeout on a small machine.
     */
    private static RelayNode shared;

    private static CoturnServer turn;

    /**
     * One warm relay for the test classes of this JVM, with a real coturn behind its TURN
     * credentials; both stop when the JVM exits.
     */
    public static synchronized RelayNode sharedRelay() {
        if (shared == null) {
            turn = CoturnServer.start();
            shared = startWarmRelay(CODES, java.util.Map.of(
                    "securecomm.turn.urls", com.typesafe.config.ConfigValueFactory.fromIterable(java.util.List.of(turn.turnUrl())),
                    "securecomm.turn.secret", turn.secret()));
            RelayNode node = shared;
            CoturnServer coturn = turn;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                coturn.close();
            }, "relay-shutdown"));
        }
        return shared;
    }

    /** The coturn behind the shared relay's TURN credentials. */
    public static synchronized CoturnServer sharedTurn() {
        sharedRelay();
        return turn;
    }

    /** How long the shared relay rings a callee, so a missed call does not take the default 45 s. */
    public static final Duration RING_TIMEOUT = Duration.ofSeconds(6);

    public static RelayNode startWarmRelay(CapturingCodeSender codes) {
        return startWarmRelay(codes, java.util.Map.of());
    }

    /** A relay whose first writes have gone through; {@code overrides} are relay settings. */
    public static RelayNode startWarmRelay(CapturingCodeSender codes, java.util.Map<String, Object> overrides) {
        java.util.Map<String, Object> settings = new java.util.HashMap<>(java.util.Map.of(
                "securecomm.calls.ring-timeout", RING_TIMEOUT.toSeconds() + "s"));
        settings.putAll(overrides);
        RelayNode node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), codes, settings);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (int attempt = 0; ; attempt++) {
            try (RelayConnection connection = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
                connection.call(ClientMessage.newBuilder().setRequestVerificationCode(RequestVerificationCode.newBuilder()
                        .setIdentifier("warm-up-" + attempt + "-" + System.nanoTime() + "@example.org"))).join();
                return node;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    node.close();
                    throw e;
                }
            }
        }
    }

    /** Registers {@code username} (email USERNAME@example.org) on the shared relay. */
    public static SecureCommClient register(Path profile, String username) {
        String email = username + "@example.org";
        return SecureCommClient.register(profile, PASSPHRASE, options(), URI.create(sharedRelay().clientUrl()), username, email,
                username + "'s first device", () -> CODES.codeFor(email));
    }

    /** Registers {@code username} on the shared relay, reaching it at {@code server} (e.g. through a {@link TcpProxy}). */
    public static SecureCommClient register(Path profile, String username, URI server) {
        sharedRelay();
        String email = username + "@example.org";
        return SecureCommClient.register(profile, PASSPHRASE, options(), server, username, email,
                username + "'s first device", () -> CODES.codeFor(email));
    }

    /** Registers {@code username} (email USERNAME@example.org) on one of several federated clusters. */
    public static SecureCommClient register(Path profile, String username, FederatedClusters.Cluster cluster) {
        String email = username + "@example.org";
        return SecureCommClient.register(profile, PASSPHRASE, options(), URI.create(cluster.node().clientUrl()), username, email,
                username + "'s first device", () -> cluster.codes().codeFor(email));
    }

    public static SecureCommClient reopen(Path profile) {
        SecureCommClient client = SecureCommClient.open(profile, PASSPHRASE, options());
        client.connect();
        return client;
    }

    /** Links a new device to {@code existing}'s account, the user typing the code the new device shows. */
    public static SecureCommClient link(SecureCommClient existing, Path profile, String deviceName) throws Exception {
        CompletableFuture<String> link = new CompletableFuture<>();
        CompletableFuture<String> code = new CompletableFuture<>();
        ExecutorService newDevice = Executors.newSingleThreadExecutor();
        try {
            var linked = newDevice.submit(() -> SecureCommClient.link(profile, PASSPHRASE, options(), existing.server(),
                    link::complete, code::complete));
            existing.linkDevice(link.get(20, TimeUnit.SECONDS), deviceName, () -> code.join());
            return linked.get(60, TimeUnit.SECONDS);
        } finally {
            newDevice.shutdownNow();
        }
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }
}
