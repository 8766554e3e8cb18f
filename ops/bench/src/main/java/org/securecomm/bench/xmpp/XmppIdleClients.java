package org.securecomm.bench.xmpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many idle, authenticated XMPP client connections on one selector thread. Smack runs two threads
 * per connection, which cannot hold ten thousand; this speaks just enough of RFC 6120 for the
 * benchmark: stream, SASL PLAIN, stream restart, resource binding, initial presence; then a
 * whitespace keepalive every {@code heartbeat} (RFC 6120 §4.6.1), the cheapest heartbeat XMPP has.
 * Plain TCP on loopback, like the relay's dev node on ws://.
 */
public final class XmppIdleClients implements AutoCloseable {

    private enum State { CONNECTING, FEATURES, AUTH, RESTARTED, BIND, READY, CLOSED }

    private final InetSocketAddress server;
    private final String domain;
    private final String password;
    private final long heartbeatNanos;
    private final Selector selector;
    private final Thread loop;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final AtomicInteger ready = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private volatile boolean running = true;

    public XmppIdleClients(int port, String domain, String password, Duration heartbeat) throws IOException {
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        this.domain = domain;
        this.password = password;
        this.heartbeatNanos = heartbeat.toNanos();
        this.selector = Selector.open();
        this.loop = new Thread(this::run, "xmpp-idle-clients");
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * Connects from {@code source} (127.0.0.x spreads connections over more ephemeral ports) and logs
     * in as {@code user}; completes once the session is bound and the initial presence sent.
     */
    public CompletableFuture<Void> connect(String user, InetAddress source) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tasks.add(() -> open(user, source, done));
        selector.wakeup();
        return done;
    }

    /** Connections logged in and not lost since. */
    public int ready() {
        return ready.get();
    }

    /** Logged-in connections the server closed (or that failed) afterwards. */
    public int lost() {
        return lost.get();
    }

    private void open(String user, InetAddress source, CompletableFuture<Void> done) {
        Connection c = new Connection(user, done);
        try {
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.bind(new InetSocketAddress(source, 0));
            c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
            connections.add(c);
            if (c.channel.connect(server)) {
                connected(c);
            }
        } catch (IOException e) {
            fail(c, "cannot connect: " + e.getMessage());
        }
    }

    private void run() {
        long lastHeartbeat = System.nanoTime();
        try {
            while (running) {
                selector.select(1000);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection c = (Connection) key.attachment();
                    try {
                        if (key.isValid() && key.isConnectable() && c.channel.finishConnect()) {
                            connected(c);
                        }
                        if (key.isValid() && key.isWritable()) {
                            flush(c);
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(c);
                        }
                    } catch (IOException e) {
                        fail(c, e.getMessage());
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now - lastHeartbeat >= 1_000_000_000L) {
                    lastHeartbeat = now;
                    heartbeats(now);
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                System.err.println("the XMPP idle client loop failed: " + e);
            }
        }
    }

    private void connected(Connection c) {
        c.state = State.FEATURES;
        c.key.interestOps(SelectionKey.OP_READ);
        send(c, streamHeader());
    }

    private String streamHeader() {
        return "<?xml version='1.0'?><stream:stream to='" + domain + "' xmlns='jabber:client'"
                + " xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
    }

    private void read(Connection c) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            fail(c, "the server closed the connection");
            return;
        }
        if (c.state == State.READY) {
            return; // idle: nothing to answer (the server sends nothing unless it pings, which this config does not)
        }
        readBuffer.flip();
        c.inbox.append(StandardCharsets.UTF_8.decode(readBuffer));
        String inbox = c.inbox.toString();
        if (inbox.contains("<stream:error") || inbox.contains("<failure")) {
            fail(c, "refused: " + inbox);
            return;
        }
        switch (c.state) {
            case FEATURES -> {
                if (inbox.contains("</stream:features>")) {
                    String credentials = Base64.getEncoder().encodeToString(("\0" + c.user + "\0" + password).getBytes(StandardCharsets.UTF_8));
                    next(c, State.AUTH, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>" + credentials + "</auth>");
                }
            }
            case AUTH -> {
                if (inbox.contains("<success")) {
                    next(c, State.RESTARTED, streamHeader());
                }
            }
            case RESTARTED -> {
                if (inbox.contains("</stream:features>")) {
                    next(c, State.BIND, "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                            + "<resource>idle</resource></bind></iq>");
                }
            }
            case BIND -> {
                if (inbox.contains("</iq>")) {
                    if (!inbox.contains("type='result'") && !inbox.contains("type=\"result\"")) {
                        fail(c, "resource binding failed: " + inbox);
                        return;
                    }
                    next(c, State.READY, "<presence/>");
                    c.inbox = null; // an idle connection keeps no buffer
                    ready.incrementAndGet();
                    c.done.complete(null);
                }
            }
            default -> throw new IllegalStateException("unexpected state " + c.state);
        }
    }

    private void next(Connection c, State state, String xml) {
        c.inbox.setLength(0);
        c.state = state;
        send(c, xml);
    }

    private void heartbeats(long now) {
        for (Connection c : connections) {
            if (c.state == State.READY && now - c.lastWriteNanos >= heartbeatNanos) {
                send(c, " ");
            }
        }
    }

    private void send(Connection c, String text) {
        c.lastWriteNanos = System.nanoTime();
        c.out.add(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        try {
            flush(c);
        } catch (IOException e) {
            fail(c, e.getMessage());
        }
    }

    private void flush(Connection c) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer head = c.out.peek();
            c.channel.write(head);
            if (head.hasRemaining()) {
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            c.out.poll();
        }
        if (c.key.isValid()) {
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void fail(Connection c, String why) {
        if (c.state == State.CLOSED) {
            return;
        }
        if (c.state == State.READY) {
            ready.decrementAndGet();
            lost.incrementAndGet();
        }
        c.state = State.CLOSED;
        closeQuietly(c);
        c.done.completeExceptionally(new IOException("XMPP login of " + c.user + " failed: " + why));
    }

    private static void closeQuietly(Connection c) {
        try {
            if (c.channel != null) {
                c.channel.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Closes every connection (without a closing stream tag: the server sees EOF) and stops the thread. */
    @Override
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        tasks.add(() -> {
            connections.forEach(c -> {
                c.state = State.CLOSED;
                closeQuietly(c);
            });
            connections.clear();
            closed.complete(null);
        });
        selector.wakeup();
        try {
            closed.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // stop the loop regardless
        }
        running = false;
        selector.wakeup();
        try {
            loop.join(5000);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static final class Connection {
        final String user;
        final CompletableFuture<Void> done;
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>(2);
        SocketChannel channel;
        SelectionKey key;
        State state = State.CONNECTING;
        StringBuilder inbox = new StringBuilder();
        long lastWriteNanos;

        Connection(String user, CompletableFuture<Void> done) {
            this.user = user;
            this.done = done;
        }
    }
}
