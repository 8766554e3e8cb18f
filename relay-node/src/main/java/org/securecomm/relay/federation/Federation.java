package org.securecomm.relay.federation;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;
import org.securecomm.federation.DomainResolver;
import org.securecomm.federation.FederationClient;
import org.securecomm.federation.PeerDescription;
import org.securecomm.federation.ReplayGuard;
import org.securecomm.federation.RequestVerifier;
import org.securecomm.federation.ServerKeyPair;
import org.securecomm.federation.ServerKeys;
import org.securecomm.federation.Tls;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.KeyDirectory;
import org.securecomm.relay.call.CallManager;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.call.ForeignCalls;
import org.securecomm.relay.federation.calls.ForeignCallLegs;
import org.securecomm.relay.federation.calls.HostedCallActions;
import org.securecomm.relay.federation.calls.LocalCallPushes;
import org.securecomm.relay.federation.calls.RemoteCallNotifier;
import org.securecomm.relay.federation.inbound.FederationApplier;
import org.securecomm.relay.federation.inbound.FederationEndpoint;
import org.securecomm.relay.federation.inbound.FederationQueries;
import org.securecomm.relay.federation.inbound.FederationRoutes;
import org.securecomm.relay.federation.outbound.DeliveryReports;
import org.securecomm.relay.federation.outbound.HttpsPeerTransport;
import org.securecomm.relay.federation.outbound.PeerStatus;
import org.securecomm.relay.gateway.TlsContexts;
import org.securecomm.relay.mailbox.EnvelopeRouter;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.metrics.RelayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Federation on one node: the signing keys, peer discovery and the HTTPS client (outbound), the
 * verifying HTTPS listener (inbound), and the two sharded queues between them. Built in two steps
 * because the envelope router needs the outbound side and the inbound side needs the router.
 */
public final class Federation {

    private static final Logger log = LoggerFactory.getLogger(Federation.class);
    /** Replay-guard entries per node; older requests are refused for their timestamp anyway. */
    private static final int MAX_REMEMBERED_TRANSACTIONS = 1_000_000;
    /** Answers of peers larger than this are refused (bundles of six devices are ~15 KiB). */
    private static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    private static final Duration LEG_CHECK_INTERVAL = Duration.ofSeconds(10);

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final String domain;
    private final FederationSettings settings;
    private final Clock clock;
    private final AtomicReference<ServerKeys> keys;
    private final DomainResolver resolver;
    private final FederationClient client;
    private final FederationQueues queues;
    private final RemoteRouting routing;
    private final ForeignCallLegs foreignCalls;
    private final RemoteCallNotifier callNotifier;
    private volatile WellKnown wellKnown;
    private volatile URI publishedEndpoint;
    private volatile ServerBinding binding;

    private Federation(ActorSystem<?> system, ClusterSharding sharding, String domain, FederationSettings settings, Duration askTimeout,
                       MediaAdmission media, Executor blocking, Clock clock) {
        this.system = system;
        this.sharding = sharding;
        this.domain = domain;
        this.settings = settings;
        this.clock = clock;
        this.keys = new AtomicReference<>(settings.keys());
        SSLContext trust = settings.trustedCertificates() == null ? defaultTrust() : Tls.trusting(settings.trustedCertificates());
        HttpClient http = Tls.httpClient(trust, settings.requestTimeout()).build();
        this.resolver = new DomainResolver(http, clock, DomainResolver.Settings.defaults()
                .withPinnedBases(settings.pinnedPeers()).withMaxCacheAge(settings.maxDescriptionCacheAge()));
        this.client = new FederationClient(domain, () -> keys.get().current(), resolver, http, clock, settings.requestTimeout(),
                MAX_RESPONSE_BYTES);
        this.queues = new FederationQueues(sharding, askTimeout);
        this.routing = new RemoteRouting(queues, client, settings.deliveryWait());
        this.foreignCalls = new ForeignCallLegs(routing, media, blocking, clock, ForeignCallLegs.SILENT_LINK);
        this.callNotifier = new RemoteCallNotifier(queues, settings.callPushTtl(), clock);
    }

    /**
     * The outbound half: what the envelope router, key directory and call rooms need.
     *
     * @param media    this node's forwarder: the legs of other clusters' calls are rooms in it
     * @param blocking runs forwarder calls that bind sockets
     */
    public static Federation create(ActorSystem<?> system, ClusterSharding sharding, String domain, FederationSettings settings,
                                    Duration askTimeout, MediaAdmission media, Executor blocking, Clock clock) {
        return new Federation(system, sharding, domain, settings, askTimeout, media, blocking, clock);
    }

    public RemoteRouting routing() {
        return routing;
    }

    /** Calls of other clusters' rooms, for this cluster's devices. */
    public ForeignCalls foreignCalls() {
        return foreignCalls;
    }

    /** Delivers a room's pushes to devices of other clusters. */
    public CallRoom.Notifier callNotifier() {
        return callNotifier;
    }

    /** The inbound half: the entities and the HTTPS listener. Returns once it is bound. */
    public void start(AccountManager accounts, KeyDirectory keyDirectory, EnvelopeRouter envelopes, CallManager calls,
                      RelayMetrics metrics) throws Exception {
        FederationEntities.initPeers(system, sharding, settings.queue(), new HttpsPeerTransport(client),
                new DeliveryReports(envelopes, clock), metrics.federation(), clock);
        FederationEntities.initInboxes(system, sharding, settings.queue(),
                new FederationApplier(envelopes, new LocalCallPushes(sharding, accounts, foreignCalls)), clock);
        RequestVerifier verifier = new RequestVerifier(domain, settings.allowedClockSkew(), settings.policy(),
                new ReplayGuard(settings.allowedClockSkew(), MAX_REMEMBERED_TRANSACTIONS), resolver, clock);
        FederationEndpoint endpoint = new FederationEndpoint(domain, verifier, queues,
                new FederationQueries(accounts, keyDirectory, new HostedCallActions(calls)), metrics.federation()::request,
                settings.policy().maxRequestBytes(), settings.requestTimeout(), Materializer.matFromSystem(system));
        SSLContext tls = TlsContexts.fromPem(settings.certificateChain(), settings.privateKey());
        // The description names the bound port (when public-endpoint is empty): until it is signed
        // just below, the well-known path answers 503.
        binding = Http.get(system).newServerAt(settings.bindInterface(), settings.port())
                .enableHttps(ConnectionContext.httpsServer(tls))
                .bind(FederationRoutes.routes(endpoint, this::wellKnownDocument))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        URI endpointUri = URI.create(settings.publicEndpoint().isEmpty()
                ? "https://" + domain + ":" + binding.localAddress().getPort() + "/federation" : settings.publicEndpoint());
        publishedEndpoint = endpointUri;
        wellKnown = new WellKnown(domain, endpointUri, keys::get, settings.descriptionValidity(), clock);
        binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
        system.scheduler().scheduleWithFixedDelay(LEG_CHECK_INTERVAL, LEG_CHECK_INTERVAL, foreignCalls::closeSilentLegs,
                system.executionContext());
        log.info("federation for {} listening on https://{}:{} (published endpoint {})", domain, settings.bindInterface(),
                binding.localAddress().getPort(), endpointUri);
    }

    private static SSLContext defaultTrust() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    /** The federation endpoint this cluster publishes in its description. */
    public URI publishedEndpoint() {
        return publishedEndpoint;
    }

    /** This cluster's signed description, as served at the well-known path; null until the listener is bound. */
    public byte[] wellKnownDocument() {
        WellKnown published = wellKnown;
        return published == null ? null : published.document();
    }

    /**
     * Signs with {@code next} from now on; the replaced key stays published (and accepted by peers)
     * until it expires. Peers learn the new key id when they first see it (one forced refresh).
     */
    public void rotate(ServerKeyPair next) {
        keys.updateAndGet(current -> current.rotate(next));
        wellKnown.invalidate();
        log.info("federation signing key rotated to {}", next.keyId());
    }

    /** What this node last fetched of a peer's description, if it has one (admin, tests). */
    public Optional<PeerDescription> cachedPeer(String peerDomain) {
        return resolver.cached(peerDomain);
    }

    public int port() {
        return binding.localAddress().getPort();
    }

    /** Queue state of one peer domain (metrics, admin, tests). */
    public CompletionStage<PeerStatus> peerStatus(String peerDomain) {
        return queues.status(peerDomain);
    }
}
