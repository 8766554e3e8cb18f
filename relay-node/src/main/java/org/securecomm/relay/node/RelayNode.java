package org.securecomm.relay.node;

import com.typesafe.config.Config;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.securecomm.relay.Asks;
import org.securecomm.relay.account.Account;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.ContactDiscovery;
import org.securecomm.relay.account.DeviceLinking;
import org.securecomm.relay.account.IdentifierHasher;
import org.securecomm.relay.account.IdentifierRegistration;
import org.securecomm.relay.account.KeyDirectory;
import org.securecomm.relay.account.PasswordHasher;
import org.securecomm.relay.account.Username;
import org.securecomm.relay.account.VerificationCodeSender;
import org.securecomm.relay.admin.AdminServer;
import org.securecomm.relay.call.CallManager;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.cluster.ClusterFormation;
import org.securecomm.relay.cluster.NodeLifecycle;
import org.securecomm.relay.federation.Federation;
import org.securecomm.relay.federation.FederationEntities;
import org.securecomm.relay.federation.inbound.FederationRoutes;
import org.securecomm.relay.gateway.ClientApi;
import org.securecomm.relay.gateway.ConnectionRegistry;
import org.securecomm.relay.gateway.HttpServer;
import org.securecomm.relay.gateway.WebSocketEndpoint;
import org.securecomm.relay.mailbox.EnvelopeRouter;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.media.MediaForwarder;
import org.securecomm.relay.media.TurnCredentialIssuer;
import org.securecomm.relay.metrics.RelayMetrics;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.session.ProvisioningChannel;
import org.securecomm.relay.session.UserSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay node: the actor system joined to its cluster, the sharded entities, the managers
 * the HTTP listener and the media forwarder, wired together. {@link #close()} runs Pekko's
 * coordinated shutdown: readiness goes down, every client gets a Closing push, the listener
 * unbinds, the forwarder closes and the cluster is left cleanly.
 */
public final class RelayNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayNode.class);

    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final RelaySettings settings;
    private final ConnectionRegistry connections;
    private final MediaForwarder forwarder;
    private final Federation federation;
    private final URI management;

    private RelayNode(ActorSystem<Void> system, ServerBinding binding, RelaySettings settings, ConnectionRegistry connections,
                      MediaForwarder forwarder, Federation federation, URI management) {
        this.system = system;
        this.binding = binding;
        this.settings = settings;
        this.connections = connections;
        this.forwarder = forwarder;
        this.federation = federation;
        this.management = management;
    }

    /**
     * Starts a node and returns once it accepts clients.
     *
     * @param codeSender delivers verification codes (see {@link org.securecomm.relay.account.VerificationCodeSenders})
     */
    public static RelayNode start(Config config, VerificationCodeSender codeSender, Clock clock) {
        RelaySettings settings = RelaySettings.from(config);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "securecomm", config);
        MediaForwarder forwarder = null;
        Federation federation = null;
        try {
            URI management = ClusterFormation.join(system, settings.cluster());
            RelayMetrics metrics = new RelayMetrics();
            forwarder = MediaForwarder.start(settings.media(), metrics);
            metrics.watch(forwarder);
            MediaForwarder closing = forwarder;
            // After the listener unbinds (no new calls), before the cluster is left.
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "securecomm-close-media-forwarder", () -> {
                closing.close();
                return CompletableFuture.completedFuture(Done.getInstance());
            });
            ClusterSharding sharding = ClusterSharding.get(system);
            federation = settings.federation().enabled()
                    ? Federation.create(system, sharding, settings.domain(), settings.federation(), settings.askTimeout(), forwarder,
                            system.dispatchers().lookup(DispatcherSelector.blocking()), clock)
                    : null;
            List<EntityTypeKey<?>> entityTypes = new ArrayList<>(
                    initEntities(system, sharding, settings, metrics, forwarder, federation == null ? null : federation.callNotifier(), clock));
            if (federation != null) {
                entityTypes.addAll(FederationEntities.TYPES);
            }
            metrics.watch(system, entityTypes);
            warmUpPersistence(sharding);

            Executor hashing = system.dispatchers().lookup(DispatcherSelector.fromConfig("securecomm-hashing-dispatcher"));
            IdentifierHasher identifierHasher = new IdentifierHasher(settings.identifierHmacKey());
            AccountManager accounts = new AccountManager(sharding, settings.accounts(), identifierHasher,
                    new PasswordHasher(settings.passwordHash()), codeSender, hashing, clock);
            KeyDirectory keys = new KeyDirectory(sharding, accounts, settings.askTimeout(), federation == null ? null : federation.routing());
            EnvelopeRouter envelopes = new EnvelopeRouter(sharding, accounts, settings.askTimeout(), settings.maxEnvelopeBytes(), clock,
                    federation == null ? null : federation.routing());
            CallManager calls = new CallManager(sharding, accounts, settings.askTimeout(), settings.calls().maxParticipants(),
                    federation == null ? null : federation.foreignCalls());
            ClientApi api = new ClientApi(accounts, keys,
                    new ContactDiscovery(sharding, identifierHasher, accounts, settings.askTimeout()),
                    envelopes,
                    new DeviceLinking(sharding, settings.askTimeout()),
                    calls,
                    new TurnCredentialIssuer(settings.turn(), clock));
            if (federation != null) {
                federation.start(accounts, keys, envelopes, calls, metrics);
            }
            // Operators' admin API (admin package): loopback only by default, bearer token; stops with the node.
            AdminServer.start(system, config, new AdminServer.Dependencies(sharding, accounts, identifierHasher, federation,
                    entityTypes, clock));

            ConnectionRegistry connections = new ConnectionRegistry();
            NodeLifecycle lifecycle = NodeLifecycle.get(system);
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "securecomm-drain-connections", () -> {
                lifecycle.markDraining();
                log.info("shutting down: closing {} client connection(s)", connections.size());
                connections.closeAll();
                return CompletableFuture.completedFuture(Done.getInstance());
            });
            WebSocketEndpoint webSocket = new WebSocketEndpoint(system, api, settings.gateway(), sharding, metrics, connections);
            Cluster cluster = Cluster.get(system);
            ServerBinding binding = HttpServer.start(system, settings.http(), webSocket, metrics,
                            () -> !lifecycle.draining() && cluster.selfMember().status() == MemberStatus.up(),
                            federation == null ? null : FederationRoutes.wellKnown(federation::wellKnownDocument))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            RelayNode node = new RelayNode(system, binding, settings, connections, forwarder, federation, management);
            lifecycle.markStarted();
            log.info("relay node for {} listening on {}", settings.domain(), node.clientUrl());
            return node;
        } catch (Exception e) {
            system.terminate();
            if (forwarder != null) {
                forwarder.close();
            }
            throw new IllegalStateException("the relay node failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * The journal connects to Cassandra and prepares its statements on first use, which can take
     * longer than a client's request may wait; recovering an entity that cannot exist (no username
     * starts with '_') does that work before the node reports ready.
     */
    private static void warmUpPersistence(ClusterSharding sharding) throws Exception {
        long started = System.nanoTime();
        Asks.plain(sharding.entityRefFor(Username.TYPE_KEY, "_warm-up").ask(Username.Resolve::new, Duration.ofSeconds(60)))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
        log.info("persistence ready in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * @param remoteCalls pushes of call rooms for devices of other clusters; null without federation
     * @return the entity types started
     */
    private static List<EntityTypeKey<?>> initEntities(ActorSystem<Void> system, ClusterSharding sharding, RelaySettings settings,
                                     RelayMetrics metrics, MediaAdmission media, CallRoom.Notifier remoteCalls, Clock clock) {
        Account.KeyStockListener keyStockListener = (accountId, deviceId, stock) ->
                sharding.entityRefFor(UserSession.TYPE_KEY, accountId)
                        .tell(new UserSession.Notify(deviceId, new DeviceMessage.KeyStockLow(stock)));
        sharding.init(Entity.of(Account.TYPE_KEY, ctx -> Account.create(ctx.getEntityId(), settings.account(), keyStockListener)));
        sharding.init(Entity.of(IdentifierRegistration.TYPE_KEY,
                ctx -> IdentifierRegistration.create(ctx.getEntityId(), settings.verification())));
        sharding.init(Entity.of(Username.TYPE_KEY, ctx -> Username.create(ctx.getEntityId())));
        // Sessions and mailboxes hold live connection refs: they passivate themselves when no
        // device is connected, never because of the default idle strategy.
        ClusterShardingSettings selfPassivating = ClusterShardingSettings.create(system).withNoPassivationStrategy();
        sharding.init(Entity.of(UserSession.TYPE_KEY, ctx -> UserSession.create(ctx.getEntityId(), ctx.getShard(), sharding))
                .withSettings(selfPassivating));
        sharding.init(Entity.of(ProvisioningChannel.TYPE_KEY, ctx -> ProvisioningChannel.create(ctx.getEntityId(), ctx.getShard()))
                .withSettings(selfPassivating));
        sharding.init(Entity.of(Mailbox.TYPE_KEY,
                        ctx -> Mailbox.create(ctx.getEntityId(), ctx.getShard(), settings.mailbox(), metrics, clock))
                .withSettings(selfPassivating));
        // A call may go minutes without signalling while media flows elsewhere: it passivates
        // itself when it ends, never for being idle.
        CallRoom.Notifier notifier = (accountId, deviceId, message) -> {
            if (CallRoom.isRemote(accountId)) {
                if (remoteCalls != null) {
                    remoteCalls.notify(accountId, deviceId, message);
                }
            } else {
                sharding.entityRefFor(UserSession.TYPE_KEY, accountId).tell(new UserSession.Notify(deviceId, message));
            }
        };
        // A call's media goes through the forwarder of the node its CallRoom runs on.
        sharding.init(Entity.of(CallRoom.TYPE_KEY, ctx -> CallRoom.create(ctx.getEntityId(), ctx.getShard(), settings.calls(), notifier, media))
                .withSettings(selfPassivating));
        return List.of(Account.TYPE_KEY, IdentifierRegistration.TYPE_KEY, Username.TYPE_KEY, UserSession.TYPE_KEY,
                ProvisioningChannel.TYPE_KEY, Mailbox.TYPE_KEY, CallRoom.TYPE_KEY);
    }

    /** The URL clients connect to, with the port actually bound. */
    public String clientUrl() {
        String scheme = settings.http().tls() == null ? "ws" : "wss";
        return scheme + "://" + settings.http().host() + ":" + binding.localAddress().getPort() + "/v1/websocket";
    }

    public int port() {
        return binding.localAddress().getPort();
    }

    public String domain() {
        return settings.domain();
    }

    public int openConnections() {
        return connections.size();
    }

    /** This node's media forwarder (tests: taps and counters). */
    public MediaForwarder mediaForwarder() {
        return forwarder;
    }

    /** This node's federation (keys, listener, peer queues), or null when the cluster does not federate. */
    public Federation federation() {
        return federation;
    }

    /** Pekko Management's listener (health probes, read-only cluster routes), or null when it is off. */
    public URI managementUri() {
        return management;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Coordinated shutdown; returns when the actor system has terminated. */
    @Override
    public void close() {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
        try {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("the actor system did not terminate in time", e);
        }
    }
}
