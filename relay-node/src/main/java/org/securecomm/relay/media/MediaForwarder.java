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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's media forwarder: a selective forwarding unit over UDP (docs/protocol.md, "Media
 * forwarder"). A datagram with an open room id, a token admitted in that room and a fresh hop
 * sequence number latches its sender's address for the token; a MEDIA payload then goes, as it
 * is, to every other latched participant of the room, a KEEPALIVE is echoed. Everything else is
 * dropped and counted by reason. Payloads are end-to-end encrypted: never decoded, mixed or logged.
 * One per node; rooms and tokens are soft state ({@link MediaAdmission}).
 */
public final class MediaForwarder implements MediaAdmission, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MediaForwarder.class);

    /**
     * @param bindHost       interface to bind (0.0.0.0 for all)
     * @param port           UDP port; 0 picks a free one (tests)
     * @param advertisedHost what routes tell clients to send to (blank: the bind host)
     * @param threads        I/O threads; above 1 only with epoll (sockets sharing the port with SO_REUSEPORT)
     */
    public record Settings(String bindHost, int port, String advertisedHost, int threads) {
        public Settings {
            if (port < 0 || port > 65535 || threads < 1) {
                throw new IllegalArgumentException("securecomm.media: port must be 0-65535 and threads at least 1");
            }
            if ((advertisedHost == null || advertisedHost.isBlank()) && isWildcard(bindHost)) {
                throw new IllegalArgumentException("securecomm.media.advertised-host (env SECURECOMM_MEDIA_ADVERTISED_HOST) is"
                        + " required when bind-host is a wildcard address: clients must know where to send media");
            }
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

        void received(int bytes);

        void sent(int bytes);

        void dropped(DropReason reason);
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
        boolean epoll = Epoll.isAvailable();
        // Without epoll one NIO socket is read by one thread: more threads would only idle.
        int threads = epoll ? settings.threads() : 1;
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("securecomm-media", true);
        this.group = epoll ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
        try {
            // Every field the handler reads is set: datagrams may arrive as soon as the first socket is bound.
            Bootstrap bootstrap = new Bootstrap().group(group)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER))
                    .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                    .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                    .handler(new ForwardingHandler(this, listener));
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
        rooms.remove(roomId);
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

    /** Sees every datagram from now on; null removes it. */
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
        channels.forEach(channel -> channel.close().syncUninterruptibly());
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        rooms.clear();
        log.debug("media forwarder closed");
    }
}
