package org.securecomm.relay.support;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.securecomm.federation.RequestSigner;
import org.securecomm.federation.ServerDescriptions;
import org.securecomm.federation.ServerKeyPair;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.protocol.federation.v1.FederationResponse;
import org.securecomm.protocol.federation.v1.ServerDescription;
import org.securecomm.protocol.federation.v1.SignedRequest;

/**
 * A peer that does not follow the rules, for tests: a real HTTPS server (certificate from the test
 * CA) publishing a correctly signed description of its domain with a current key and a key that
 * expired a minute ago, and a client that posts whatever it is told to a cluster's federation
 * endpoint, correctly signed or not.
 */
public final class HostilePeer implements AutoCloseable {

    private final String domain;
    private final HttpsServer server;
    private final ServerKeyPair current;
    private final ServerKeyPair expired;
    private final ServerKeyPair unpublished;
    private final HttpClient http;

    private HostilePeer(String domain, HttpsServer server, ServerKeyPair current, ServerKeyPair expired, ServerKeyPair unpublished,
                        HttpClient http) {
        this.domain = domain;
        this.server = server;
        this.current = current;
        this.expired = expired;
        this.unpublished = unpublished;
        this.http = http;
    }

    public static HostilePeer start(TestCertificateAuthority ca, String domain) {
        Instant now = Instant.now();
        ServerKeyPair current = ServerKeyPair.generate("ed25519:current", now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        ServerKeyPair expired = ServerKeyPair.generate("ed25519:expired", now.minus(Duration.ofHours(2)), now.minus(Duration.ofMinutes(1)));
        ServerKeyPair unpublished = ServerKeyPair.generate("ed25519:unpublished", now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(ca.issue(domain, "127.0.0.1").serverContext()));
            URI endpoint = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/federation");
            ServerDescription description = ServerDescription.newBuilder()
                    .setDomain(domain)
                    .setFederationEndpoint(endpoint.toString())
                    .addKeys(current.toServerKey())
                    .addKeys(expired.toServerKey())
                    .setIssuedAtMillis(now.toEpochMilli())
                    .setValidUntilMillis(now.plus(Duration.ofHours(1)).toEpochMilli())
                    .build();
            byte[] document = ServerDescriptions.sign(current, description).toByteArray();
            server.createContext(ServerDescriptions.WELL_KNOWN_PATH, exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, document.length);
                exchange.getResponseBody().write(document);
                exchange.close();
            });
            server.start();
            HttpClient http = HttpClient.newBuilder().sslContext(ca.trustingContext()).connectTimeout(Duration.ofSeconds(5)).build();
            return new HostilePeer(domain, server, current, expired, unpublished, http);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String domain() {
        return domain;
    }

    /** Where the clusters fetch this peer's well-known document. */
    public String baseUrl() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    public ServerKeyPair currentKey() {
        return current;
    }

    public ServerKeyPair expiredKey() {
        return expired;
    }

    public ServerKeyPair unpublishedKey() {
        return unpublished;
    }

    public SignedRequest sign(ServerKeyPair key, String destination, String operation, byte[] body, Instant timestamp) {
        return RequestSigner.sign(key, domain, destination, operation, body, timestamp);
    }

    /** An HTTP status and the parsed answer. */
    public record Answer(int status, FederationResponse response) {
    }

    public Answer post(URI endpoint, String operation, byte[] requestBytes) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/v1/" + operation))
                    .header("Content-Type", "application/x-protobuf")
                    .timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(requestBytes)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), FederationResponse.parseFrom(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
