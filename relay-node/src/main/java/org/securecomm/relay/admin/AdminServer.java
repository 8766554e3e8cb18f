package org.securecomm.relay.admin;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.IdentifierHasher;
import org.securecomm.relay.federation.Federation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin listener ({@code securecomm.admin}): loopback only unless allowed otherwise,
 * every request authenticated by a bearer token. Without a configured token the node generates
 * one at start, writes it to an owner-only file (path logged, never the token) and deletes that
 * file when it stops.
 */
public final class AdminServer {

    /** What the admin actions work on; {@code federation} is null when the cluster does not federate. */
    /** @param entityTypes every sharded entity type the node started (for {@code shards}) */
    public record Dependencies(ClusterSharding sharding, AccountManager accounts, IdentifierHasher identifierHasher,
                               Federation federation, List<EntityTypeKey<?>> entityTypes, Clock clock) {
    }

    /** The coordinated-shutdown reason of a node drained through {@code admin drain}: a normal stop. */
    public static final CoordinatedShutdown.Reason DRAIN_REASON = ClusterAdmin.DRAIN;

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    // By identity: typed systems compare as actor refs, by path, and every node's system is "securecomm".
    private static final Map<ActorSystem<?>, AdminServer> RUNNING = Collections.synchronizedMap(new IdentityHashMap<>());

    private final ServerBinding binding;
    private final Path tokenFile;

    private AdminServer(ServerBinding binding, Path tokenFile) {
        this.binding = binding;
        this.tokenFile = tokenFile;
    }

    /**
     * Starts the node's admin parts: on every node the clean-up that account deletions need, and
     * the listener when {@code securecomm.admin.enabled}. Answers null when there is no listener
     * (disabled, or its port was taken: logged as an error, the node serves clients anyway).
     *
     * @throws IllegalArgumentException on a bad {@code securecomm.admin} section or an unreadable token file
     */
    public static AdminServer start(ActorSystem<?> system, Config config, Dependencies deps) {
        AdminSettings settings = AdminSettings.from(config);
        AccountAdmin accounts = new AccountAdmin(system, deps.sharding(), deps.accounts(), deps.identifierHasher(), settings.timeout(),
                deps.clock());
        if (!settings.enabled()) {
            log.info("admin listener off (securecomm.admin.enabled)");
            return null;
        }
        if (!AdminSettings.isLoopback(settings.host())) {
            log.warn("the admin listener binds {}, which is not a loopback address (securecomm.admin.allow-remote = on):"
                    + " anyone who can reach it may try the token; prefer an SSH tunnel", settings.host());
        }
        String configured = settings.token();
        Path configuredFile = settings.tokenFile().isEmpty() ? null : Path.of(settings.tokenFile());
        try {
            if (configured.isEmpty() && configuredFile != null && Files.exists(configuredFile)) {
                configured = AdminToken.read(configuredFile);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the admin token file " + configuredFile + " cannot be read: " + e.getMessage(), e);
        }
        boolean generated = configured.isEmpty();
        String token = generated ? AdminToken.generate() : configured;

        ClusterAdmin cluster = new ClusterAdmin(system, deps.sharding(), deps.entityTypes(), settings.timeout());
        MailboxAdmin mailboxes = new MailboxAdmin(system, deps.sharding(), deps.accounts(), accounts, settings.timeout(), deps.clock());
        PeersAdmin peers = new PeersAdmin(system, deps.federation(), settings.timeout(), deps.clock());
        AdminRoutes routes = new AdminRoutes(new AdminToken(token), cluster, accounts, mailboxes, peers);
        ServerBinding binding;
        try {
            binding = Http.get(system).newServerAt(settings.host(), settings.port()).bind(routes.route())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            // Open until the very end of a drain (not closed with the client listener): the drain's
            // own answer goes out, and an operator can watch members and shards while it runs.
            ServerBinding bound = binding;
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "securecomm-admin-unbind",
                    () -> bound.terminate(Duration.ofSeconds(3)).thenApply(terminated -> Done.getInstance()));
        } catch (Exception e) {
            log.error("the admin listener could not bind {}:{} ({}): this node runs without it; set securecomm.admin.port",
                    settings.host(), settings.port(), e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return null;
        }
        int port = binding.localAddress().getPort();
        Path tokenFile = null;
        if (generated) {
            tokenFile = settings.tokenPath(port);
            try {
                AdminToken.write(tokenFile, token);
            } catch (IOException e) {
                binding.unbind();
                throw new IllegalArgumentException("the generated admin token cannot be written to " + tokenFile + ": " + e.getMessage()
                        + " (set securecomm.admin.token-file, or SECURECOMM_ADMIN_TOKEN)", e);
            }
            Path written = tokenFile;
            // A task (not a termination callback) so the file is gone before the system reports terminated.
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "securecomm-admin-token-file",
                    () -> {
                        deleteQuietly(written);
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });
            log.info("admin listener on http://{}:{} ; generated token in {} (owner-only; deleted when the node stops)",
                    settings.host(), port, tokenFile);
        } else {
            log.info("admin listener on http://{}:{} (token from {})", settings.host(), port,
                    settings.token().isEmpty() ? configuredFile : "securecomm.admin.token / SECURECOMM_ADMIN_TOKEN");
        }
        AdminServer server = new AdminServer(binding, tokenFile);
        RUNNING.put(system, server);
        system.getWhenTerminated().thenRun(() -> RUNNING.remove(system));
        return server;
    }

    /** The listener of the node running {@code system}, or null (disabled, not bound, stopped). */
    public static AdminServer of(ActorSystem<?> system) {
        return RUNNING.get(system);
    }

    public int port() {
        return binding.localAddress().getPort();
    }

    public String url() {
        return "http://" + binding.localAddress().getHostString() + ":" + port();
    }

    /** The file holding the generated token, or null when the token was configured. */
    public Path generatedTokenFile() {
        return tokenFile;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete the admin token file {}: {}", file, e.getMessage());
        }
    }
}
