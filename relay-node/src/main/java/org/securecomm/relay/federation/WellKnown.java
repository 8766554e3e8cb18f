package org.securecomm.relay.federation;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.securecomm.federation.ServerDescriptions;
import org.securecomm.federation.ServerKeys;

/**
 * This cluster's signed description (served at /.well-known/securecomm/server), signed once and
 * served from memory; signed again when the keys change or half of its validity has passed, so a
 * peer's cached copy never outlives the keys in it by much.
 */
final class WellKnown {

    private record Signed(byte[] bytes, Instant resignAt, ServerKeys keys) {
    }

    private final String domain;
    private final URI endpoint;
    private final Supplier<ServerKeys> keys;
    private final Duration validity;
    private final Clock clock;
    private volatile Signed signed;

    WellKnown(String domain, URI endpoint, Supplier<ServerKeys> keys, Duration validity, Clock clock) {
        this.domain = domain;
        this.endpoint = endpoint;
        this.keys = keys;
        this.validity = validity;
        this.clock = clock;
    }

    byte[] document() {
        Instant now = clock.instant();
        ServerKeys current = keys.get();
        Signed cached = signed;
        if (cached == null || cached.keys() != current || now.isAfter(cached.resignAt())) {
            byte[] bytes = ServerDescriptions.sign(current, domain, endpoint, now, validity).toByteArray();
            cached = new Signed(bytes, now.plus(validity.dividedBy(2)), current);
            signed = cached;
        }
        return cached.bytes();
    }

    void invalidate() {
        signed = null;
    }
}
