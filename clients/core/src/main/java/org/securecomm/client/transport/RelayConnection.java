package org.securecomm.client.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.ServerMessage;

/**
 * One WebSocket to a relay, speaking the v1 client protocol: requests get increasing ids and
 * complete when the matching response arrives; pushes go to the listener in arrival order.
 * Thread-safe. Frames are sent one after another, as java.net.http requires.
 */
public final class RelayConnection implements AutoCloseable {

    private final Map<Long, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<Response> unsolicited = new LinkedBlockingQueue<>();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final Consumer<Push> pushListener;
    private final Duration requestTimeout;
    private WebSocket webSocket;
    private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);

    private RelayConnection(Consumer<Push> pushListener, Duration requestTimeout) {
        this.pushListener = pushListener;
        this.requestTimeout = requestTimeout;
    }

    /** Connects to {@code ws://} or {@code wss://} (with {@code tls}, or the JVM's trust store when null). */
    public static RelayConnection connect(URI uri, SSLContext tls, Consumer<Push> pushListener, Duration timeout) {
        RelayConnection connection = new RelayConnection(pushListener, timeout);
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(timeout);
        if (tls != null) {
            client.sslContext(tls);
        }
        connection.webSocket = client.build().newWebSocketBuilder()
                .connectTimeout(timeout)
                .buildAsync(uri, connection.new Listener())
                .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .join();
        return connection;
    }

    public static RelayConnection connect(URI uri, Consumer<Push> pushListener) {
        return connect(uri, null, pushListener, Duration.ofSeconds(10));
    }

    /** Sends a request (its id is filled in) and completes with the relay's response, error or not. */
    public CompletableFuture<Response> request(ClientMessage.Builder request) {
        long id = nextRequestId.getAndIncrement();
        CompletableFuture<Response> response = new CompletableFuture<>();
        pending.put(id, response);
        sendRaw(request.setRequestId(id).build().toByteArray()).whenComplete((ws, error) -> {
            if (error != null) {
                pending.remove(id);
                response.completeExceptionally(error);
                // The socket is gone even if no close reached us: say so, so the client reconnects.
                abort();
            }
        });
        return response.orTimeout(requestTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> pending.remove(id));
    }

    /** Like {@link #request} but fails with {@link RelayException} on an error response. */
    public CompletableFuture<Response> call(ClientMessage.Builder request) {
        return request(request).thenApply(response -> {
            if (response.hasError()) {
                throw new RelayException(response.getError());
            }
            return response;
        });
    }

    /** Sends arbitrary bytes as one binary frame (tests of the relay's input handling). */
    public synchronized CompletableFuture<?> sendRaw(byte[] frame) {
        sendChain = sendChain.handle((r, e) -> null)
                .thenCompose(ignored -> webSocket.sendBinary(ByteBuffer.wrap(frame), true));
        return sendChain;
    }

    /** Sends a text frame, which the protocol does not allow (tests). */
    public synchronized CompletableFuture<?> sendText(String text) {
        sendChain = sendChain.handle((r, e) -> null).thenCompose(ignored -> webSocket.sendText(text, true));
        return sendChain;
    }

    /** Completes with the WebSocket close status code when the relay closes the connection. */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    public boolean isOpen() {
        return !closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            synchronized (this) {
                sendChain.handle((r, e) -> null).thenCompose(ignored -> webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
            }
            closed.completeOnTimeout(WebSocket.NORMAL_CLOSURE, 5, java.util.concurrent.TimeUnit.SECONDS).join();
        }
        webSocket.abort();
    }

    /** Drops the connection at once (it stopped answering): pending requests fail, {@link #closed()} completes. */
    public void abort() {
        webSocket.abort();
        closed.complete(-1);
        failPending(new IllegalStateException("the connection to the relay stopped answering"));
    }

    private void dispatch(byte[] frame) {
        ServerMessage message;
        try {
            message = ServerMessage.parseFrom(frame);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the relay sent a frame that is not a ServerMessage", e);
        }
        if (message.hasResponse()) {
            CompletableFuture<Response> waiting = pending.remove(message.getResponse().getRequestId());
            if (waiting != null) {
                waiting.complete(message.getResponse());
            } else {
                unsolicited.add(message.getResponse());
            }
        } else if (message.hasPush()) {
            pushListener.accept(message.getPush());
        }
    }

    /**
     * Responses that matched no pending request: the relay's answers to frames it could not read
     * (request id 0), or to raw frames sent with {@link #sendRaw}.
     */
    public BlockingQueue<Response> unsolicitedResponses() {
        return unsolicited;
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (last) {
                byte[] frame = partial.toByteArray();
                partial.reset();
                dispatch(frame);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            failPending(new IllegalStateException("the relay closed the connection: " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
            failPending(error);
        }
    }

    private void failPending(Throwable error) {
        pending.values().forEach(f -> f.completeExceptionally(error));
        pending.clear();
    }
}
