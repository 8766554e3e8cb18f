package org.securecomm.client.call.transport;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.securecomm.protocol.client.v1.TurnCredentials;

/** One TURN server over UDP with the (time-limited) credentials the relay issued for it. */
public record TurnServer(String host, int port, String username, String password) {

    public static final int DEFAULT_PORT = 3478;

    public TurnServer {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1-65535, not " + port);
        }
    }

    /**
     * The UDP TURN servers of the relay's TurnCredentials: every {@code turn:host[:port]} URL whose
     * transport is UDP (or unset). {@code turns:} and TCP URLs are left out: media here is UDP.
     */
    public static List<TurnServer> from(TurnCredentials credentials) {
        List<TurnServer> servers = new ArrayList<>();
        for (String url : credentials.getUrlsList()) {
            parseUdp(url).ifPresent(hostPort -> servers.add(new TurnServer(hostPort.host, hostPort.port,
                    credentials.getUsername(), credentials.getPassword())));
        }
        return List.copyOf(servers);
    }

    private static Optional<HostPort> parseUdp(String url) {
        if (!url.startsWith("turn:")) {
            return Optional.empty();
        }
        // "turn:host:port?transport=udp" is opaque to java.net.URI; "turn://host:port" is not.
        URI uri = URI.create("turn://" + url.substring("turn:".length()));
        String query = uri.getQuery();
        if (query != null && !query.toLowerCase(Locale.ROOT).contains("transport=udp")) {
            return Optional.empty();
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("not a TURN URL: " + url);
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        return Optional.of(new HostPort(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort()));
    }

    @Override
    public String toString() {
        // Never the password: toString ends up in logs.
        return "turn:" + host + ":" + port + " (user " + username + ")";
    }

    private record HostPort(String host, int port) {
    }
}
