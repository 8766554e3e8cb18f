package org.securecomm.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.MediaRoute;

/**
 * The media side of the call workload over real UDP to the node's media forwarder: one socket per
 * bench device (as a client has), one open-loop sender thread for every stream and one selector
 * thread receiving. A stream first sends KEEPALIVEs until the forwarder echoes one (its address is
 * latched), then MEDIA at the packet rate; each payload carries the MediaDatagrams payload header
 * (source id, kind, seq) and its send nanoTime, so a receiver measures the one-way delay.
 */
final class CallMedia implements AutoCloseable {

    /** The payload layout the media benchmarks share: payload header, then the send stamp. */
    static final int STAMP_OFFSET = MediaLoad.STAMP_OFFSET;
    static final int MIN_PAYLOAD = MediaLoad.MIN_PAYLOAD;
    private static final long KEEPALIVE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** What a stream tells its call; called on the receiver thread, so it must not block. */
    interface Events {
        void latched(Stream stream);

        void firstMediaFrom(Stream stream, int sourceId);
    }

    /** A bench device's media socket, kept across its calls. */
    static final class Endpoint {
        private final DatagramChannel channel;
        private final int sourceId;
        private volatile Stream stream;

        private Endpoint(DatagramChannel channel, int sourceId) {
            this.channel = channel;
            this.sourceId = sourceId;
        }

        int sourceId() {
            return sourceId;
        }
    }

    /** What one receiver got from one source in one call. */
    private static final class FromSource {
        final long firstSeq;
        long count;

        FromSource(long firstSeq) {
            this.firstSeq = firstSeq;
        }
    }

    /** One device's media in one call: its route, its sending state and what it received. */
    static final class Stream {
        private final Endpoint endpoint;
        private final long roomId;
        private final long token;
        private final InetSocketAddress forwarder;
        private final Events events;
        private final Map<Integer, FromSource> received = new HashMap<>();
        // Sender thread only.
        private int hopSeq;
        private long nextKeepalive;
        private long mediaStart;
        // Written by the sender thread, read after stop() and a drain pause.
        private volatile long sentMedia;
        private volatile boolean latched;
        private volatile boolean stopped;

        private Stream(Endpoint endpoint, MediaRoute route, Events events) {
            this.endpoint = endpoint;
            this.roomId = MediaDatagrams.idOf(route.getRoomId().toByteArray());
            this.token = MediaDatagrams.idOf(route.getToken().toByteArray());
            this.forwarder = new InetSocketAddress(route.getHost(), route.getPort());
            this.events = events;
        }

        int sourceId() {
            return endpoint.sourceId;
        }

        long sent() {
            return sentMedia;
        }

        /** Packets from {@code sourceId} the forwarder should have delivered (from the first received on) and those received. */
        synchronized long[] expectedAndReceived(int sourceId, long sourceSent) {
            FromSource from = received.get(sourceId);
            return from == null ? new long[] {sourceSent, 0} : new long[] {Math.max(from.count, sourceSent - from.firstSeq + 1), from.count};
        }

        /** True when this is the first packet from that source in this call. */
        private synchronized boolean record(int sourceId, long seq) {
            FromSource from = received.get(sourceId);
            if (from == null) {
                received.put(sourceId, from = new FromSource(seq));
                from.count = 1;
                return true;
            }
            from.count++;
            return false;
        }
    }

    private final int packetRate;
    private final int payloadBytes;
    private final Selector selector;
    private final CopyOnWriteArrayList<Stream> streams = new CopyOnWriteArrayList<>();
    private final Queue<Endpoint> toRegister = new ConcurrentLinkedQueue<>();
    private final Thread sender;
    private final Thread receiver;
    private final LongAdder sent = new LongAdder();
    private final LongAdder sendRefused = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder strays = new LongAdder();
    // One-way delay in microseconds, up to an hour.
    private final Recorder delays = new Recorder(3_600_000_000L, 3);
    private volatile boolean running = true;
    private int nextSourceId = 1;

    CallMedia(int packetRate, int payloadBytes) throws IOException {
        this.packetRate = packetRate;
        this.payloadBytes = payloadBytes;
        this.selector = Selector.open();
        this.sender = new Thread(this::send, "bench-call-media-sender");
        this.receiver = new Thread(this::receive, "bench-call-media-receiver");
        sender.setDaemon(true);
        receiver.setDaemon(true);
        sender.start();
        receiver.start();
    }

    /** A new UDP socket for one bench device. */
    synchronized Endpoint endpoint() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(new InetSocketAddress(0));
        channel.configureBlocking(false);
        Endpoint endpoint = new Endpoint(channel, nextSourceId++);
        toRegister.add(endpoint);
        selector.wakeup();
        return endpoint;
    }

    /** Starts the endpoint's stream on a call's route: keepalives until latched, then media. */
    Stream join(Endpoint endpoint, MediaRoute route, Events events) {
        Stream stream = new Stream(endpoint, route, events);
        endpoint.stream = stream;
        streams.add(stream);
        return stream;
    }

    /** Stops sending (the hang-up); packets in flight are still counted until the endpoint joins another call. */
    void stop(Stream stream) {
        stream.stopped = true;
        streams.remove(stream);
    }

    long sent() {
        return sent.sum();
    }

    long received() {
        return received.sum();
    }

    long sendRefused() {
        return sendRefused.sum();
    }

    /** Media that arrived on a device that was never in a call. */
    long strays() {
        return strays.sum();
    }

    Recorder delays() {
        return delays;
    }

    private void send() {
        ByteBuffer datagram = ByteBuffer.allocateDirect(MediaDatagrams.MAX_DATAGRAM);
        byte[] filler = new byte[payloadBytes - MIN_PAYLOAD];
        long period = 1_000_000_000L / packetRate;
        while (running) {
            long now = System.nanoTime();
            for (Stream s : streams) {
                if (s.stopped) {
                    continue;
                }
                if (!s.latched) {
                    if (now >= s.nextKeepalive) {
                        s.nextKeepalive = now + KEEPALIVE_RETRY_NANOS;
                        datagram.clear();
                        datagram.put(MediaDatagrams.CLIENT_KEEPALIVE).putLong(s.roomId).putLong(s.token).putInt(++s.hopSeq).flip();
                        write(s, datagram, false);
                    }
                    continue;
                }
                if (s.mediaStart == 0) {
                    s.mediaStart = now;
                }
                // Open loop: every packet due by now goes, late ones at once.
                while (!s.stopped && s.mediaStart + s.sentMedia * period <= now) {
                    long seq = s.sentMedia + 1;
                    datagram.clear();
                    datagram.put(MediaDatagrams.CLIENT_MEDIA).putLong(s.roomId).putLong(s.token).putInt(++s.hopSeq)
                            .putInt(s.endpoint.sourceId).put(MediaDatagrams.KIND_AUDIO).putInt((int) seq)
                            .putLong(System.nanoTime()).put(filler).flip();
                    write(s, datagram, true);
                    s.sentMedia = seq;
                }
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private void write(Stream s, ByteBuffer datagram, boolean media) {
        try {
            if (s.endpoint.channel.send(datagram, s.forwarder) == 0) {
                sendRefused.increment();
            } else if (media) {
                sent.increment();
            }
        } catch (IOException e) {
            sendRefused.increment();
        }
    }

    private void receive() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        try {
            while (running) {
                Endpoint added;
                while ((added = toRegister.poll()) != null) {
                    added.channel.register(selector, SelectionKey.OP_READ, added);
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Endpoint endpoint = (Endpoint) key.attachment();
                    while (true) {
                        buffer.clear();
                        if (endpoint.channel.receive(buffer) == null) {
                            break;
                        }
                        dispatch(endpoint, buffer, System.nanoTime());
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            if (running) {
                System.err.println("call media receiver stopped: " + e);
            }
        }
    }

    private void dispatch(Endpoint endpoint, ByteBuffer buffer, long now) {
        Stream stream = endpoint.stream;
        byte type = buffer.get(0);
        if (type == MediaDatagrams.KEEPALIVE_ECHO) {
            if (stream != null && !stream.latched) {
                stream.latched = true;
                stream.events.latched(stream);
            }
            return;
        }
        if (type != MediaDatagrams.FORWARDED_MEDIA || buffer.position() < 1 + MIN_PAYLOAD) {
            return;
        }
        if (stream == null) {
            strays.increment();
            return;
        }
        received.increment();
        delays.recordValue(Math.max(0, (now - buffer.getLong(1 + STAMP_OFFSET)) / 1000));
        int sourceId = buffer.getInt(1);
        long seq = Integer.toUnsignedLong(buffer.getInt(1 + 5));
        if (stream.record(sourceId, seq)) {
            stream.events.firstMediaFrom(stream, sourceId);
        }
    }

    /** Stops both threads and closes every socket; idempotent. */
    @Override
    public synchronized void close() {
        if (!selector.isOpen()) {
            return;
        }
        running = false;
        selector.wakeup();
        try {
            sender.join(2000);
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        Endpoint pending;
        while ((pending = toRegister.poll()) != null) {
            try {
                pending.channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
