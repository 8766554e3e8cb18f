package org.securecomm.federation.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTPS server on a free loopback port, presenting a {@link TestCertificateAuthority} leaf
 * (issue it for "127.0.0.1"): peers' well-known documents and federation endpoints in tests.
 */
public final class TestHttpsServer implements AutoCloseable {

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-https");
        thread.setDaemon(true);
        return thread;
    });

    public TestHttpsServer(TestCertificateAuthority.Leaf leaf) {
        try {
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(leaf.serverContext()));
        server.setExecutor(executor);
        server.start();
    }

    /** Routes requests whose path starts with {@code prefix}. */
    public TestHttpsServer handle(String prefix, HttpHandler handler) {
        server.createContext(prefix, handler);
        return this;
    }

    /** {@code https://127.0.0.1:port}, without a trailing slash. */
    public URI baseUri() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers with a status and body (no body for an empty array). */
    public static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
