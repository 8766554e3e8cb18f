package org.securecomm.relay.media;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's media forwarder: a selective forwarding unit over UDP (docs/protocol.md, "Media
 * forwarder"). A datagram with an open room id, a token admitted in that room and a fresh hop
 * sequence number latches its sender's address for the token; a MEDIA payload then goes, as it
 * is, to every other latched participant of the room, a KEEPALIVE is echoed. Everything else is
 * dropped and counted by reason. Payloads are end-to-end encrypted: never decoded, mixed or logged.
 * A room may also be cascaded to rooms of other operators' forwarders ({@link #linkCascade}), each
 * link over a socket of its own. One per node; rooms, tokens and links are soft state
 * ({@link MediaAdmission}).
 */
public final class MediaForwarder implements MediaAdmission, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MediaForwarder.class);

    /**
     * @param bindHost       interface to bind (0.0.0.0 for all)
     * @param port           UDP port; 0 picks a free one (tests)
     * @param advertisedHost what routes tell clients to send to (blank: the bind host)
     * @param threads        I/O threads; above 1 only with epoll (sockets sharing the port with SO_REUSEPORT)
     * @param cascadeKeepalive how often a cascade link sends a keepalive to its remote forwarder
     */
    public record Settings(String bindHost, int port, String advertisedHost, int threads, Duration cascadeKeepalive) {

        /**
         * A link's keepalive: well inside the ~30 s a NAT keeps a UDP binding, and often enough
         * that the remote latches the link and its echo tells the link works within a second.
         */
        public static final Duration CASCADE_KEEPALIVE = Duration.ofSeconds(1);

        public Settings {
            if (port < 0 || port > 65535 || threads < 1) {
                throw new IllegalArgumentException("securecomm.media: port must be 0-65535 and threads at least 1");
            }
            if (cascadeKeepalive.toMillis() < 1) {
                throw new IllegalArgumentException("securecomm.media: the cascade keepalive interval must be at least 1 ms");
            }
            if ((advertisedHost == null || advertisedHost.isBlank()) && isWildcard(bindHost)) {
                throw new IllegalArgumentException("securecomm.media.advertised-host (env SECURECOMM_MEDIA_ADVERTISED_HOST) is"
                        + " required when bind-host is a wildcard address: clients must know where to send media");
            }
        }

        public Settings(String bindHost, int port, String advertisedHost, int threads) {
            this(bindHost, port, advertisedHost, threads, CASCADE_KEEPALIVE);
        }

        String routeHost() {
            return advertisedHost == null || advertisedHost.isBlank() ? bindHost : advertisedHost;
        }

        private static boolean isWildcard(String host) {
            return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        }
    }

    /** Node metrics of the forwarder (RelayMetrics in production). Called on I/O threads. */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override
            public void received(int bytes) {
            }

            @Override
            public void sent(int bytes) {
            }

            @Override
            public void dropped(DropReason reason) {
            }
        };

        /** Every datagram in, dropped ones and those of cascade links too. */
        void received(int bytes);

        /** Every datagram out, cascade links' too. */
        void sent(int bytes);

        void dropped(DropReason reason);

        /** Also counted by received: a datagram on a cascade link's socket (traffic between operators). */
        default void linkReceived(int bytes) {
        }

        /** Also counted by sent: a datagram up a cascade link (media and keepalives). */
        default void linkSent(int bytes) {
        }
    }

    // A datagram over MAX_DATAGRAM is malformed; reading a little more than that tells it apart.
    private static final int RECEIVE_BUFFER = 2048;
    private static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

    private final Map<Long, MediaRoom> rooms = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Map<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private final Listener listener;
    private final String routeHost;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final Delivery delivery;
    private final Bootstrap linkBootstrap;
    private final String bindHost;
    private final Duration cascadeKeepalive;
    private final AtomicInteger linksOpened = new AtomicInteger();
    private final int port;
    private volatile PacketTap tap;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Binds the socket(s) and starts forwarding. */
    public static MediaForwarder start(Settings settings, Listener listener) {
        return new MediaForwarder(settings, listener);
    }

    private MediaForwarder(Settings settings, Listener listener) {
        for (DropReason reason : DropReason.values()) {
            drops.put(reason, new LongAdder());
        }
        this.listener = listener;
        this.routeHost = settings.routeHost();
        this.bindHost = settings.bindHost();
        this.cascadeKeepalive = settings.cascadeKeepalive();
        this.delivery = new Delivery(this, listener);
        boolean epoll = Epoll.isAvailable();
        // Without epoll one NIO socket is read by one thread: more threads would only idle.
        int threads = epoll ? settings.threads() : 1;
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("securecomm-media", true);
        this.group = epoll ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
        // Links get their event loop and handler per link (linkCascade); client sockets these settings and the shared handler.
        this.linkBootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER))
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        try {
            // Every field the handler reads is set: datagrams may arrive as soon as the first socket is bound.
            Bootstrap bootstrap = linkBootstrap.clone().handler(new ForwardingHandler(this, delivery));
            if (threads > 1) {
                bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            channels.add(bootstrap.bind(settings.bindHost(), settings.port()).sync().channel());
            this.port = ((InetSocketAddress) channels.get(0).localAddress()).getPort();
            for (int i = 1; i < threads; i++) {
                channels.add(bootstrap.bind(settings.bindHost(), port).sync().channel());
            }
        } catch (Exception e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the media forwarder could not bind udp " + settings.bindHost() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        log.info("media forwarder on udp {}:{} ({} thread(s), {}), advertised as {}", settings.bindHost(), port, threads,
                epoll ? "epoll" : "nio", routeHost);
    }

    // ------------------------------------------------------------------ admission

    @Override
    public long openRoom() {
        while (true) {
            long id = random.nextLong();
            if (rooms.putIfAbsent(id, new MediaRoom(id)) == null) {
                return id;
            }
        }
    }

    @Override
    public Route admit(long roomId) {
        MediaRoom room = rooms.get(roomId);
        if (room == null) {
            return null;
        }
        long token = random.nextLong();
        while (!room.add(token)) {
            token = random.nextLong();
        }
        return new Route(routeHost, port, roomId, token);
    }

    @Override
    public void revoke(long roomId, long token) {
        MediaRoom room = rooms.get(roomId);
        if (room != null) {
            room.remove(token);
        }
    }

    @Override
    public void closeRoom(long roomId) {
        MediaRoom room = rooms.remove(roomId);
        if (room != null) {
            room.close();
        }
    }

    /**
     * The link's socket is bound on the event loop of one client socket (round robin), which then
     * sends what comes down the link: those writes stay on one thread, never queued as tasks.
     */
    @Override
    public Link linkCascade(long localRoomId, String remoteHost, int remotePort, long remoteRoomId, long remoteToken) {
        MediaRoom room = rooms.get(localRoomId);
        if (room == null || closed.get()) {
            return null;
        }
        InetSocketAddress remote = new InetSocketAddress(remoteHost, remotePort);
        if (remote.isUnresolved()) {
            throw new IllegalArgumentException("cascade link: cannot resolve the remote forwarder's host " + remoteHost);
        }
        Channel out = channels.get(Math.floorMod(linksOpened.getAndIncrement(), channels.size()));
        CascadeLink link = new CascadeLink(localRoomId, remoteHost, remotePort, remote, remoteRoomId, remoteToken, this, listener);
        Channel channel;
        try {
            channel = linkBootstrap.clone(out.eventLoop()).handler(new CascadeHandler(link, room, out, this, listener, delivery))
                    .bind(bindHost, 0).sync().channel();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (closed.get()) {
                return null;
            }
            throw new IllegalStateException("cascade link: could not bind a udp socket on " + bindHost + ": " + e.getMessage(), e);
        }
        link.start(channel, cascadeKeepalive);
        if (!room.addLink(link)) {
            link.close();
            return null;
        }
        log.info("media room cascaded to {}:{} from udp port {}", remoteHost, remotePort, link.handle().localPort());
        return link.handle();
    }

    @Override
    public void unlinkCascade(long localRoomId, String remoteHost, int remotePort) {
        MediaRoom room = rooms.get(localRoomId);
        if (room != null) {
            room.removeLink(remoteHost, remotePort);
        }
    }

    // ------------------------------------------------------------------ observation

    /** Counters of an admitted token; null when the room or token is unknown (closed, revoked). */
    public ParticipantStats stats(long roomId, long token) {
        MediaRoom room = rooms.get(roomId);
        MediaParticipant participant = room == null ? null : room.participant(token);
        return participant == null ? null : participant.stats();
    }

    /** Datagrams dropped for {@code reason} since the start. */
    public long dropped(DropReason reason) {
        return drops.get(reason).sum();
    }

    @Override
    public LinkStats linkStats(long roomId, String remoteHost, int remotePort) {
        MediaRoom room = rooms.get(roomId);
        CascadeLink link = room == null ? null : room.link(remoteHost, remotePort);
        return link == null ? null : link.stats();
    }

    /** Every open cascade link over all rooms, with its local socket's port (tests, diagnostics); {@link #linkStats} reads its counters. */
    public List<Link> cascadeLinks() {
        List<Link> links = new ArrayList<>();
        for (MediaRoom room : rooms.values()) {
            for (CascadeLink link : room.links()) {
                links.add(link.handle());
            }
        }
        return links;
    }

    /** Open cascade links over all rooms. */
    public int links() {
        return rooms.values().stream().mapToInt(room -> room.links().length).sum();
    }

    public int rooms() {
        return rooms.size();
    }

    /** Admitted tokens over all rooms. */
    public int participants() {
        return rooms.values().stream().mapToInt(room -> room.members().length).sum();
    }

    /** The UDP port actually bound. */
    public int port() {
        return port;
    }

    public String host() {
        return routeHost;
    }

    /** Sees every datagram from now on, those on cascade links' sockets too; null removes it. */
    public void tap(PacketTap tap) {
        this.tap = tap;
    }

    // ------------------------------------------------------------------ for the handler

    MediaRoom room(long roomId) {
        return rooms.get(roomId);
    }

    PacketTap currentTap() {
        return tap;
    }

    void drop(DropReason reason) {
        drops.get(reason).increment();
        listener.dropped(reason);
    }

    /** Unbinds and stops the I/O threads; returns when they are gone. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        rooms.values().forEach(MediaRoom::close);
        channels.forEach(channel -> channel.close().syncUninterruptibly());
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        rooms.clear();
        log.debug("media forwarder closed");
    }
}
