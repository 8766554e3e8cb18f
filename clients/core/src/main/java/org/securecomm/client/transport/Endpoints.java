package org.securecomm.client.transport;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The relay URLs of one account's cluster (several nodes, or one load-balanced address) and the
 * one in use. A client starts on a random one, so a fleet of clients spreads over the nodes, and
 * moves to the next one when a connection fails or drops. Thread-safe.
 */
public final class Endpoints {

    private final List<URI> all;
    private int current;

    public Endpoints(List<URI> endpoints, Random random, boolean randomFirst) {
        this.all = List.copyOf(check(endpoints));
        this.current = randomFirst ? random.nextInt(all.size()) : 0;
    }

    /** Parses a comma-separated list of ws:// or wss:// URLs (blanks around commas allowed). */
    public static List<URI> parse(String commaList) {
        List<URI> parsed = new ArrayList<>();
        for (String part : commaList.split(",")) {
            if (!part.isBlank()) {
                parsed.add(URI.create(part.strip()));
            }
        }
        return check(parsed);
    }

    /** The comma-separated form {@link #parse} reads. */
    public static String format(List<URI> endpoints) {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    /** Without duplicates, in order; each a ws:// or wss:// URL with a host. */
    public static List<URI> check(List<URI> endpoints) {
        Set<URI> unique = new LinkedHashSet<>(endpoints);
        if (unique.isEmpty()) {
            throw new IllegalArgumentException("at least one relay URL is needed");
        }
        for (URI uri : unique) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!(scheme.equals("ws") || scheme.equals("wss")) || uri.getHost() == null) {
                throw new IllegalArgumentException("not a relay URL (ws://HOST:PORT/v1/websocket or wss://...): " + uri);
            }
        }
        return List.copyOf(unique);
    }

    public synchronized URI current() {
        return all.get(current);
    }

    /** Moves to the next endpoint (the same one again when there is only one) and answers it. */
    public synchronized URI rotate() {
        current = (current + 1) % all.size();
        return all.get(current);
    }

    public List<URI> all() {
        return all;
    }

    public int size() {
        return all.size();
    }
}
