package org.securecomm.client.call.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.MediaRoute;

/**
 * Call media through the relay's media forwarder (group calls, and 1:1 calls without a direct
 * path): one UDP socket connected to the MediaRoute's address. Every datagram carries the route's
 * room id and token and a per-token increasing hop sequence number (the forwarder drops replays);
 * a keepalive every 2 s keeps NAT bindings and the forwarder's idea of our address fresh.
 */
public final class ForwarderTransport implements MediaTransport {

    /** Short enough for NATs that forget UDP mappings after 30 s, cheap enough to not matter. */
    public static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(2);
    private static final Duration OPEN_RETRY = Duration.ofMillis(250);
    private static final System.Logger LOG = System.getLogger(ForwarderTransport.class.getName());

    private final DatagramChannel channel;
    private final InetSocketAddress forwarder;
    private final long roomId;
    private final long token;
    private final AtomicInteger hopSeq = new AtomicInteger();
    private final Inbound inbound = new Inbound();
    private final CountDownLatch firstEcho = new CountDownLatch(1);
    private final ScheduledExecutorService keepalives;
    private final Thread receiveThread;
    private volatile boolean closed;

    private ForwarderTransport(DatagramChannel channel, InetSocketAddress forwarder, long roomId, long token) {
        this.channel = channel;
        this.forwarder = forwarder;
        this.roomId = roomId;
        this.token = token;
        this.keepalives = Executors.newSingleThreadScheduledExecutor(runnable -> Inbound.daemon(runnable, "forwarder-keepalive"));
        this.receiveThread = Inbound.daemon(this::receiveLoop, "forwarder-receive");
    }

    /**
     * Opens the route: sends keepalives (every 250 ms at first) until the forwarder echoes one, then
     * one every 2 s. Fails after {@code timeout} without an echo: the forwarder is unreachable or
     * does not know this room id and token.
     */
    public static ForwarderTransport open(MediaRoute route, Duration timeout) throws MediaTransportException {
        Objects.requireNonNull(route, "route");
        InetSocketAddress address = new InetSocketAddress(route.getHost(), route.getPort());
        if (address.isUnresolved()) {
            throw new MediaTransportException("cannot resolve the media forwarder's host " + route.getHost());
        }
        long roomId = MediaDatagrams.idOf(route.getRoomId().toByteArray());
        long token = MediaDatagrams.idOf(route.getToken().toByteArray());
        DatagramChannel channel;
        try {
            channel = DatagramChannel.open(address.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.connect(address);
        } catch (IOException e) {
            throw new MediaTransportException("cannot open a UDP socket to the media forwarder " + address, e);
        }
        ForwarderTransport transport = new ForwarderTransport(channel, address, roomId, token);
        transport.receiveThread.start();
        try {
            transport.awaitFirstEcho(timeout);
        } catch (MediaTransportException | RuntimeException e) {
            transport.close();
            throw e;
        }
        transport.keepalives.scheduleAtFixedRate(transport::sendKeepalive, KEEPALIVE_INTERVAL.toMillis(),
                KEEPALIVE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return transport;
    }

    private void awaitFirstEcho(Duration timeout) throws MediaTransportException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            do {
                sendKeepalive();
                long left = Math.min(OPEN_RETRY.toNanos(), deadline - System.nanoTime());
                if (firstEcho.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } while (System.nanoTime() - deadline < 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaTransportException("interrupted while opening the media route to " + forwarder, e);
        }
        throw new MediaTransportException("the media forwarder " + forwarder + " did not echo a keepalive within "
                + timeout + " (room " + Long.toHexString(roomId) + "): it is unreachable over UDP or does not"
                + " know this room and token");
    }

    @Override
    public void send(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        if (write(MediaDatagrams.toForwarder(roomId, token, hopSeq.getAndIncrement(), payload))) {
            inbound.sent();
        }
    }

    private void sendKeepalive() {
        write(MediaDatagrams.toForwarder(roomId, token, hopSeq.getAndIncrement(), null));
    }

    /** Media is real-time: a datagram that cannot go now is dropped, never queued or retried. */
    private boolean write(byte[] datagram) {
        if (closed) {
            return false;
        }
        try {
            return channel.write(ByteBuffer.wrap(datagram)) == datagram.length;
        } catch (IOException e) {
            // e.g. PortUnreachableException from an earlier ICMP error: the next datagram may pass.
            LOG.log(Level.DEBUG, "media datagram to {0} not sent: {1}", forwarder, e.toString());
            return false;
        }
    }

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(MediaDatagrams.MAX_DATAGRAM + 1);
        while (!closed) {
            buffer.clear();
            try {
                channel.read(buffer);
            } catch (PortUnreachableException e) {
                continue; // ICMP for an earlier datagram: nothing listens yet, keepalives go on
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "receiving from the media forwarder {0} failed: {1}", forwarder, e.toString());
                }
                return;
            }
            handle(buffer.array(), buffer.position());
        }
    }

    private void handle(byte[] data, int length) {
        if (length > MediaDatagrams.MAX_DATAGRAM) {
            inbound.dropped();
        } else if (inbound.deliverForwarded(data, 0, length)) {
            return;
        } else if (length == 1 + 4 && data[0] == MediaDatagrams.KEEPALIVE_ECHO) {
            firstEcho.countDown();
        } else {
            inbound.dropped();
        }
    }

    @Override
    public void onReceive(Consumer<byte[]> receiver) {
        inbound.receiver(receiver);
    }

    @Override
    public String describe() {
        return "forwarder " + forwarder.getAddress().getHostAddress() + ":" + forwarder.getPort();
    }

    @Override
    public Stats stats() {
        return inbound.stats();
    }

    /** Whether the forwarder has echoed a keepalive since the route was opened. */
    public boolean echoed() {
        return firstEcho.getCount() == 0;
    }

    /** Stops keepalives and the receive thread (joined) and closes the socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        keepalives.shutdownNow();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the media socket: {0}", e.toString());
        }
        try {
            keepalives.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Inbound.awaitEnd(receiveThread, Duration.ofSeconds(1));
    }
}
