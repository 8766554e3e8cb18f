package org.securecomm.federation.testing;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.securecomm.federation.FederationRejection;
import org.securecomm.federation.KeySource;
import org.securecomm.federation.PeerDescription;
import org.securecomm.protocol.federation.v1.Rejection;

/** A KeySource answering from memory (tests, benchmarks); counts forced refreshes. */
public final class StaticKeySource implements KeySource {

    private final Map<String, PeerDescription> descriptions;
    private final AtomicInteger refreshes = new AtomicInteger();

    private StaticKeySource(Map<String, PeerDescription> descriptions) {
        this.descriptions = Map.copyOf(descriptions);
    }

    public static StaticKeySource of(PeerDescription... descriptions) {
        return new StaticKeySource(Stream.of(descriptions).collect(Collectors.toMap(PeerDescription::domain, Function.identity())));
    }

    @Override
    public CompletionStage<PeerDescription> describe(String domain) {
        PeerDescription description = descriptions.get(domain);
        return description != null ? CompletableFuture.completedFuture(description)
                : CompletableFuture.failedFuture(new FederationRejection(Rejection.ORIGIN_UNREACHABLE, "no description of " + domain));
    }

    @Override
    public CompletionStage<PeerDescription> refresh(String domain) {
        refreshes.incrementAndGet();
        return describe(domain);
    }

    public int refreshes() {
        return refreshes.get();
    }
}
