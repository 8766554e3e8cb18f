package org.securecomm.relay.gateway;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.reject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.securecomm.relay.metrics.RelayMetrics;

/**
 * The node's HTTP listener: the client WebSocket at /v1/websocket, Prometheus metrics at /metrics,
 * the liveness and readiness probes under /health, and with federation the cluster's well-known
 * description. TLS when configured; without TLS it only
 * binds to a loopback address, so no credential ever crosses a network in clear text.
 */
public final class HttpServer {

    public record Settings(String host, int port, SSLContext tls, Duration shutdownDeadline) {
    }

    private static final ContentType.NonBinary PROMETHEUS = MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

    private HttpServer() {
    }

    /**
     * @param wellKnown the route of this cluster's signed federation description, also served here
     *                  (the client listener is usually what https://DOMAIN/ reaches); null: not federating
     */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, Settings settings, WebSocketEndpoint webSocket,
                                                       RelayMetrics metrics, BooleanSupplier ready, Route wellKnown) {
        if (settings.tls() == null && !isLoopback(settings.host())) {
            throw new IllegalStateException("plain HTTP is only allowed on a loopback address, but securecomm.http.interface is "
                    + settings.host() + ": configure securecomm.http.tls.certificate-chain and private-key (PEM files)");
        }
        Route routes = concat(
                wellKnown == null ? reject() : wellKnown,
                pathPrefix("v1", () -> path("websocket", () -> get(() -> handleWebSocketMessages(webSocket.newConnection())))),
                path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(
                        HttpEntities.create(PROMETHEUS, metrics.scrape()))))),
                pathPrefix("health", () -> concat(
                        path("alive", () -> get(() -> complete("alive"))),
                        path("ready", () -> get(() -> ready.getAsBoolean()
                                ? complete("ready")
                                : complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready"))))));
        ServerBuilder builder = Http.get(system).newServerAt(settings.host(), settings.port());
        if (settings.tls() != null) {
            builder = builder.enableHttps(ConnectionContext.httpsServer(settings.tls()));
        }
        return builder.bind(routes).thenApply(binding -> binding.addToCoordinatedShutdown(settings.shutdownDeadline(), system));
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
