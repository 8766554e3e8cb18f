package org.securecomm.federation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.securecomm.protocol.federation.v1.Rejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns peers' keys and endpoints from their well-known document,
 * {@code GET {base}/.well-known/securecomm/server} with base {@code https://{domain}} or a pinned
 * override (private deployments, tests), verified by {@link ServerDescriptions#verify}.
 *
 * <p>Caching, per domain:
 * <ul>
 *   <li>a verified document is served until its valid_until; it is refetched in the background
 *       once 3/4 of its remaining validity (at fetch time) has passed, and at the latest after
 *       {@link Settings#maxCacheAge}, so a peer's rotation reaches us without waiting for expiry;</li>
 *   <li>a failed refetch keeps the cached document in use until its valid_until (a peer's short
 *       outage of its web server does not cut federation) and is retried after
 *       {@link Settings#failureRetryInterval};</li>
 *   <li>a failed first fetch is remembered for {@link Settings#failureRetryInterval}, so requests
 *       naming an unreachable origin do not each cost an outgoing connection;</li>
 *   <li>a forced {@link #refresh} (unknown key id) happens at most once per
 *       {@link Settings#forcedRefreshInterval}; otherwise it answers like {@link #describe}, so a
 *       flood of requests with made-up key ids cannot make us hammer the peer;</li>
 *   <li>concurrent lookups of one domain share one fetch;</li>
 *   <li>at most {@link Settings#maxDomains} domains are tracked (forged origins cannot grow memory).</li>
 * </ul>
 * Redirects follow the caller's {@link HttpClient} (the default follows none).
 */
public final class DomainResolver implements KeySource {

    private static final Logger log = LoggerFactory.getLogger(DomainResolver.class);

    /**
     * @param pinnedBases           base URIs by domain, replacing {@code https://{domain}}; must be https
     * @param maxCacheAge           refetch a document at the latest after this long
     * @param forcedRefreshInterval the shortest time between two forced refreshes of one domain
     * @param failureRetryInterval  how long a failed fetch is not retried
     * @param fetchTimeout          the whole request, connection to last byte
     * @param maxDocumentBytes      larger documents are refused
     * @param maxDomains            domains cached at most
     */
    public record Settings(Map<String, URI> pinnedBases, Duration maxCacheAge, Duration forcedRefreshInterval,
                           Duration failureRetryInterval, Duration fetchTimeout, int maxDocumentBytes, int maxDomains) {

        public Settings {
            pinnedBases = Map.copyOf(pinnedBases);
            for (Map.Entry<String, URI> pin : pinnedBases.entrySet()) {
                try {
                    ServerDescriptions.requireHttpsEndpoint(pin.getValue());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("pinned base of " + pin.getKey() + " must be https without trailing slash: " + pin.getValue());
                }
            }
            if (maxDocumentBytes < 1 || maxDomains < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }

        /** One hour at most between fetches, forced refresh every 30 s, failures retried after 30 s, 10 s timeout, 64 KiB, 10,000 domains. */
        public static Settings defaults() {
            return new Settings(Map.of(), Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(30),
                    Duration.ofSeconds(10), 64 * 1024, 10_000);
        }

        public Settings withPinnedBases(Map<String, URI> bases) {
            return new Settings(bases, maxCacheAge, forcedRefreshInterval, failureRetryInterval, fetchTimeout, maxDocumentBytes, maxDomains);
        }

        public Settings withMaxCacheAge(Duration age) {
            return new Settings(pinnedBases, age, forcedRefreshInterval, failureRetryInterval, fetchTimeout, maxDocumentBytes, maxDomains);
        }
    }

    private final HttpClient http;
    private final Clock clock;
    private final Settings settings;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    public DomainResolver(HttpClient http, Clock clock, Settings settings) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Default settings with the given pinned bases. */
    public DomainResolver(HttpClient http, Clock clock, Map<String, URI> pinnedBases) {
        this(http, clock, Settings.defaults().withPinnedBases(pinnedBases));
    }

    @Override
    public CompletionStage<PeerDescription> describe(String domain) {
        if (!ServerDescriptions.isValidDomain(domain)) {
            return CompletableFuture.failedFuture(new FederationRejection(Rejection.ORIGIN_UNREACHABLE, "not a domain"));
        }
        State state = state(domain);
        synchronized (state) {
            return answer(state, clock.instant(), true);
        }
    }

    @Override
    public CompletionStage<PeerDescription> refresh(String domain) {
        if (!ServerDescriptions.isValidDomain(domain)) {
            return CompletableFuture.failedFuture(new FederationRejection(Rejection.ORIGIN_UNREACHABLE, "not a domain"));
        }
        State state = state(domain);
        Instant now = clock.instant();
        synchronized (state) {
            if (state.lastForcedRefresh != null && now.isBefore(state.lastForcedRefresh.plus(settings.forcedRefreshInterval))) {
                return answer(state, now, false);
            }
            state.lastForcedRefresh = now;
            return (state.inFlight != null ? state.inFlight : fetch(state)).copy();
        }
    }

    /** The cached description of a domain, valid or not (tests, metrics). */
    public Optional<PeerDescription> cached(String domain) {
        State state = states.get(domain);
        if (state == null) {
            return Optional.empty();
        }
        synchronized (state) {
            return Optional.ofNullable(state.description);
        }
    }

    /** Whether a fetch of the domain is under way (tests). */
    boolean fetching(String domain) {
        State state = states.get(domain);
        if (state == null) {
            return false;
        }
        synchronized (state) {
            return state.inFlight != null;
        }
    }

    /** Answers from the cache if possible; the caller holds the state's lock. */
    private CompletableFuture<PeerDescription> answer(State state, Instant now, boolean refreshAhead) {
        if (state.description != null && state.description.isValidAt(now)) {
            if (refreshAhead && !now.isBefore(state.refreshAt) && state.inFlight == null) {
                fetch(state);
            }
            return CompletableFuture.completedFuture(state.description);
        }
        if (state.inFlight != null) {
            return state.inFlight.copy();
        }
        if (state.failure != null && now.isBefore(state.failureUntil)) {
            return CompletableFuture.failedFuture(state.failure);
        }
        return fetch(state).copy();
    }

    /** Starts a fetch and records it as in flight; the caller holds the state's lock. */
    private CompletableFuture<PeerDescription> fetch(State state) {
        CompletableFuture<PeerDescription> result = new CompletableFuture<>();
        // In flight before the fetch starts: a fetch that fails synchronously still finds it set.
        state.inFlight = result;
        Instant started = clock.instant();
        download(state.domain).whenComplete((description, error) -> {
            Instant now = clock.instant();
            PeerDescription answer;
            FederationRejection failure = null;
            synchronized (state) {
                state.inFlight = null;
                if (error == null) {
                    state.description = description;
                    state.failure = null;
                    state.refreshAt = refreshTime(started, description.validUntil());
                    answer = description;
                } else {
                    failure = asRejection(state.domain, error);
                    log.warn("federation: description of {} not refreshed: {}", state.domain, failure.getMessage());
                    state.refreshAt = now.plus(settings.failureRetryInterval);
                    if (state.description != null && state.description.isValidAt(now)) {
                        answer = state.description;
                        failure = null;
                    } else {
                        answer = null;
                        state.failure = failure;
                        state.failureUntil = now.plus(settings.failureRetryInterval);
                    }
                }
            }
            if (failure == null) {
                result.complete(answer);
            } else {
                result.completeExceptionally(failure);
            }
        });
        return result;
    }

    private Instant refreshTime(Instant fetchedAt, Instant validUntil) {
        Duration remaining = Duration.between(fetchedAt, validUntil);
        Duration ahead = remaining.multipliedBy(3).dividedBy(4);
        return fetchedAt.plus(ahead.compareTo(settings.maxCacheAge) < 0 ? ahead : settings.maxCacheAge);
    }

    private CompletableFuture<PeerDescription> download(String domain) {
        URI base = settings.pinnedBases.getOrDefault(domain, URI.create("https://" + domain));
        URI uri = URI.create(base + ServerDescriptions.WELL_KNOWN_PATH);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(settings.fetchTimeout)
                .header("Accept", FederationClient.CONTENT_TYPE)
                .GET()
                .build();
        try {
            return http.sendAsync(request, BoundedBodies.ofByteArray(settings.maxDocumentBytes))
                    .thenApply(response -> verify(domain, uri, response));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private PeerDescription verify(String domain, URI uri, HttpResponse<byte[]> response) {
        try {
            if (response.statusCode() != 200) {
                throw new FederationRejection(Rejection.ORIGIN_UNREACHABLE,
                        "description of " + domain + ": " + uri + " answered HTTP " + response.statusCode());
            }
            return ServerDescriptions.verify(response.body(), domain, clock.instant());
        } catch (FederationRejection e) {
            throw new CompletionException(e);
        }
    }

    private static FederationRejection asRejection(String domain, Throwable error) {
        Throwable cause = Futures.cause(error);
        if (cause instanceof FederationRejection rejection) {
            return rejection;
        }
        return new FederationRejection(Rejection.ORIGIN_UNREACHABLE,
                "description of " + domain + " could not be fetched: " + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
    }

    private State state(String domain) {
        State state = states.get(domain);
        if (state != null) {
            return state;
        }
        if (states.size() >= settings.maxDomains) {
            evictOne();
        }
        return states.computeIfAbsent(domain, State::new);
    }

    /** Drops one idle domain; which one does not matter for correctness, only a refetch is lost. */
    private void evictOne() {
        Iterator<Map.Entry<String, State>> entries = states.entrySet().iterator();
        while (entries.hasNext()) {
            State candidate = entries.next().getValue();
            synchronized (candidate) {
                if (candidate.inFlight == null) {
                    entries.remove();
                    return;
                }
            }
        }
    }

    /** Per-domain cache entry, guarded by its own lock. */
    private static final class State {
        private final String domain;
        private PeerDescription description;
        private Instant refreshAt = Instant.MIN;
        private CompletableFuture<PeerDescription> inFlight;
        private Instant lastForcedRefresh;
        private FederationRejection failure;
        private Instant failureUntil = Instant.MIN;

        private State(String domain) {
            this.domain = domain;
        }
    }
}
