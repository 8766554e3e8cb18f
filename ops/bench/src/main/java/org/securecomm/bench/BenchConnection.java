package org.securecomm.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.ServerMessage;

/**
 * One device's WebSocket to the relay, as lean as the load generator needs: requests are
 * pipelined (ids, pending map), frames are queued and sent one after the other (java.net.http
 * allows one outstanding send per WebSocket), pushes go to a listener on the receiving thread.
 *
 * <p>Unlike the SDK's {@code RelayConnection}, which builds one {@link HttpClient} (and so one
 * selector thread) per connection, connections here share a few clients of a {@link ClientPool}:
 * that is what lets one JVM hold ten thousand of them.
 */
final class BenchConnection implements WebSocket.Listener {

    /** Receives pushes; runs on the connection's receiving thread, so it must not block. */
    interface PushListener {
        void onPush(BenchConnection connection, Push push, long receivedNanos);
    }

    /** The relay closed the connection or the socket failed. */
    static final class ConnectionLostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConnectionLostException(String message) {
            super(message);
        }
    }

    private record Pending(CompletableFuture<Response> future, long sentNanos) {
    }

    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>(4);
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final ConcurrentLinkedQueue<ByteBuffer> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile PushListener pushListener;
    private volatile WebSocket webSocket;
    // Touched only by the listener callbacks, which java.net.http invokes one at a time.
    private byte[] partial;
    private int partialLength;

    private BenchConnection(PushListener pushListener) {
        this.pushListener = pushListener;
    }

    /** Opens a WebSocket through one of the pool's clients; completes once it is open. */
    static CompletableFuture<BenchConnection> open(ClientPool pool, URI uri, PushListener pushListener, Duration timeout) {
        BenchConnection connection = new BenchConnection(pushListener);
        HttpClient client = pool.nextClient();
        return client.newWebSocketBuilder()
                .connectTimeout(timeout)
                .buildAsync(uri, connection)
                .thenApply(webSocket -> {
                    connection.webSocket = webSocket;
                    pool.register(connection);
                    return connection;
                });
    }

    void setPushListener(PushListener listener) {
        this.pushListener = listener;
    }

    /** Sends a request (its id is filled in); completes with the relay's response, error or not. */
    CompletableFuture<Response> request(ClientMessage.Builder request) {
        CompletableFuture<Response> response = new CompletableFuture<>();
        if (closed.isDone()) {
            response.completeExceptionally(new ConnectionLostException("connection closed"));
            return response;
        }
        long id = nextRequestId.getAndIncrement();
        pending.put(id, new Pending(response, System.nanoTime()));
        enqueue(ByteBuffer.wrap(request.setRequestId(id).build().toByteArray()));
        if (closed.isDone() && pending.remove(id) != null) { // closed while we were queueing
            response.completeExceptionally(new ConnectionLostException("connection closed"));
        }
        return response;
    }

    /** Like {@link #request} but fails with {@link RelayError} on an error response. */
    CompletableFuture<Response> call(ClientMessage.Builder request) {
        return request(request).thenApply(response -> {
            if (response.hasError()) {
                throw new RelayError(response.getError());
            }
            return response;
        });
    }

    boolean isOpen() {
        return !closed.isDone();
    }

    CompletableFuture<Integer> closed() {
        return closed;
    }

    int pendingRequests() {
        return pending.size();
    }

    /** Fails requests sent longer than {@code timeoutNanos} ago (called by the pool's sweeper). */
    void expireRequests(long nowNanos, long timeoutNanos) {
        if (pending.isEmpty()) {
            return;
        }
        for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Pending> entry = it.next();
            if (nowNanos - entry.getValue().sentNanos() > timeoutNanos) {
                it.remove();
                entry.getValue().future().completeExceptionally(new TimeoutException("no response within the request timeout"));
            }
        }
    }

    /** Starts a normal close; {@link #abort} cuts the socket. */
    void startClose() {
        WebSocket ws = webSocket;
        if (ws == null || closed.isDone()) {
            return;
        }
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").whenComplete((w, e) -> {
                if (e != null) {
                    abort();
                }
            });
        } catch (RuntimeException e) {
            abort();
        }
    }

    void abort() {
        WebSocket ws = webSocket;
        if (ws != null) {
            ws.abort();
        }
        lost("aborted");
    }

    // ------------------------------------------------------------------ sending

    private void enqueue(ByteBuffer frame) {
        outbox.add(frame);
        drain();
    }

    /** Sends queued frames one after the other; loops instead of recursing when a send completes at once. */
    private void drain() {
        while (sending.compareAndSet(false, true)) {
            ByteBuffer next = outbox.poll();
            if (next == null) {
                sending.set(false);
                if (outbox.isEmpty()) {
                    return;
                }
                continue;
            }
            CompletableFuture<WebSocket> sent;
            try {
                sent = webSocket.sendBinary(next, true);
            } catch (RuntimeException e) {
                sending.set(false);
                lost("send failed: " + e);
                return;
            }
            if (sent.isDone() && !sent.isCompletedExceptionally()) {
                sending.set(false);
                continue;
            }
            sent.whenComplete((ws, error) -> {
                sending.set(false);
                if (error != null) {
                    lost("send failed: " + error);
                } else {
                    drain();
                }
            });
            return;
        }
    }

    // ------------------------------------------------------------------ receiving

    @Override
    public void onOpen(WebSocket webSocket) {
        this.webSocket = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        long now = System.nanoTime();
        try {
            if (last && partial == null) {
                dispatch(ServerMessage.parseFrom(data), now);
            } else {
                append(data);
                if (last) {
                    ServerMessage message = ServerMessage.parseFrom(ByteBuffer.wrap(partial, 0, partialLength));
                    partial = null;
                    partialLength = 0;
                    dispatch(message, now);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            System.err.println("the relay sent a frame that is not a ServerMessage: " + e.getMessage());
        }
        webSocket.request(1);
        return null;
    }

    private void append(ByteBuffer data) {
        if (partial == null) {
            partial = new byte[Math.max(1024, data.remaining() * 2)];
        } else if (partial.length - partialLength < data.remaining()) {
            partial = java.util.Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + data.remaining()));
        }
        int n = data.remaining();
        data.get(partial, partialLength, n);
        partialLength += n;
    }

    private void dispatch(ServerMessage message, long receivedNanos) {
        if (message.hasResponse()) {
            Pending waiting = pending.remove(message.getResponse().getRequestId());
            if (waiting != null) {
                waiting.future().complete(message.getResponse());
            }
        } else if (message.hasPush()) {
            PushListener listener = pushListener;
            if (listener != null) {
                listener.onPush(this, message.getPush(), receivedNanos);
            }
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        lost("the relay closed the connection: " + statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        lost("connection failed: " + error);
    }

    private void lost(String why) {
        closed.complete(-1);
        if (!pending.isEmpty()) {
            ConnectionLostException failure = new ConnectionLostException(why);
            for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
                Pending p = it.next();
                it.remove();
                p.future().completeExceptionally(failure);
            }
        }
    }
}
