package org.securecomm.relay.media;

import static org.securecomm.protocol.MediaDatagrams.CLIENT_HEADER;
import static org.securecomm.protocol.MediaDatagrams.CLIENT_KEEPALIVE;
import static org.securecomm.protocol.MediaDatagrams.CLIENT_MEDIA;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One cascade link of a local room: its own UDP socket, from which this forwarder is one
 * participant (token {@code remoteToken}) of a room of a remote forwarder. Local media goes up
 * as client MEDIA datagrams; a keepalive every interval latches the socket's address at the
 * remote and keeps NAT bindings open. What comes down is handled by {@link CascadeHandler}.
 */
final class CascadeLink {

    private final long localRoomId;
    private final String remoteHost;
    private final int remotePort;
    private final InetSocketAddress remote;
    private final long remoteRoomId;
    private final long remoteToken;
    private final MediaForwarder forwarder;
    private final MediaForwarder.Listener listener;
    // The remote's replay window is per token: up media and keepalives share one increasing number.
    private final AtomicInteger hopSeq = new AtomicInteger();
    private final LongAdder packetsUp = new LongAdder();
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder packetsDown = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final LongAdder keepalivesSent = new LongAdder();
    private final LongAdder echoes = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile Instant lastEcho;
    // Set once by start(), before the link joins its room: only then does anything send up.
    private volatile Channel channel;
    private volatile ScheduledFuture<?> keepalive;

    CascadeLink(long localRoomId, String remoteHost, int remotePort, InetSocketAddress remote, long remoteRoomId, long remoteToken,
                MediaForwarder forwarder, MediaForwarder.Listener listener) {
        this.localRoomId = localRoomId;
        this.remoteHost = remoteHost;
        this.remotePort = remotePort;
        this.remote = remote;
        this.remoteRoomId = remoteRoomId;
        this.remoteToken = remoteToken;
        this.forwarder = forwarder;
        this.listener = listener;
    }

    /** Takes the bound socket and sends the first keepalive now, then one every {@code interval}. */
    void start(Channel bound, Duration interval) {
        this.channel = bound;
        this.keepalive = bound.eventLoop().scheduleAtFixedRate(this::sendKeepalive, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    MediaAdmission.Link handle() {
        return new MediaAdmission.Link(localRoomId, remoteHost, remotePort, remoteRoomId, remoteToken,
                ((InetSocketAddress) channel.localAddress()).getPort());
    }

    boolean isTo(String host, int port) {
        return remotePort == port && remoteHost.equals(host);
    }

    String remoteHost() {
        return remoteHost;
    }

    int remotePort() {
        return remotePort;
    }

    InetSocketAddress remote() {
        return remote;
    }

    /** A local participant's accepted payload, up to the remote room (called on any client socket's thread). */
    void sendUp(ByteBufAllocator alloc, ByteBuf content, int payloadOffset, int payload, PacketTap tap) {
        if (!channel.isWritable()) {
            dropped.increment();
            forwarder.drop(DropReason.OVERLOADED);
            return;
        }
        ByteBuf datagram = header(alloc.directBuffer(CLIENT_HEADER + payload), CLIENT_MEDIA).writeBytes(content, payloadOffset, payload);
        // Counted before the write: whoever sees the datagram arrive sees it counted.
        packetsUp.increment();
        bytesUp.add(datagram.readableBytes());
        write(datagram, tap);
    }

    private void sendKeepalive() {
        ByteBuf datagram = header(channel.alloc().directBuffer(CLIENT_HEADER), CLIENT_KEEPALIVE);
        keepalivesSent.increment();
        write(datagram, forwarder.currentTap());
    }

    private ByteBuf header(ByteBuf datagram, byte type) {
        return datagram.writeByte(type).writeLong(remoteRoomId).writeLong(remoteToken).writeInt(hopSeq.incrementAndGet());
    }

    // Flushed at once: up datagrams come from client sockets' threads, whose read batches this socket does not see.
    private void write(ByteBuf datagram, PacketTap tap) {
        int bytes = datagram.readableBytes();
        if (tap != null) {
            tap.sent(remote, ByteBufUtil.getBytes(datagram));
        }
        channel.writeAndFlush(new DatagramPacket(datagram, remote), channel.voidPromise());
        listener.sent(bytes);
        listener.linkSent(bytes);
    }

    void receivedDown(int bytes) {
        packetsDown.increment();
        bytesDown.add(bytes);
    }

    void echoed() {
        echoes.increment();
        lastEcho = Instant.now();
    }

    void dropped() {
        dropped.increment();
    }

    LinkStats stats() {
        return new LinkStats(packetsUp.sum(), bytesUp.sum(), packetsDown.sum(), bytesDown.sum(), keepalivesSent.sum(), echoes.sum(),
                lastEcho, dropped.sum());
    }

    /** Stops the keepalives and closes the socket (asynchronously; the forwarder's close waits for its threads). */
    void close() {
        ScheduledFuture<?> timer = keepalive;
        if (timer != null) {
            timer.cancel(false);
        }
        Channel bound = channel;
        if (bound != null) {
            bound.close();
        }
    }
}
