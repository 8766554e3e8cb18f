package org.securecomm.relay.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.securecomm.protocol.MediaDatagrams;

/**
 * A device's UDP socket towards a media forwarder, as tests drive it: a real socket on loopback,
 * datagrams in the MediaDatagrams formats, one hop sequence counter per route.
 */
public final class MediaSocket implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress forwarder;
    private long roomId;
    private long token;
    private int hopSeq;

    public MediaSocket(String host, int port, long roomId, long token) {
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.forwarder = new InetSocketAddress(host, port);
        route(roomId, token);
    }

    /** A new route (a rejoin): later datagrams carry it, hop sequence numbers start again. */
    public void route(long newRoomId, long newToken) {
        this.roomId = newRoomId;
        this.token = newToken;
        this.hopSeq = 0;
    }

    /** Sends one MEDIA datagram; answers it (to replay it). */
    public byte[] sendMedia(byte[] payload) {
        return sendRaw(MediaDatagrams.toForwarder(roomId, token, ++hopSeq, payload));
    }

    public byte[] sendKeepalive() {
        return sendRaw(MediaDatagrams.toForwarder(roomId, token, ++hopSeq, null));
    }

    public byte[] sendRaw(byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, forwarder));
            return datagram;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram received, or null after {@code timeout}. */
    public byte[] receive(Duration timeout) {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            socket.receive(packet);
            return Arrays.copyOf(buffer, packet.getLength());
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The payload of the next FORWARDED_MEDIA datagram, or null after {@code timeout}. */
    public byte[] receiveMedia(Duration timeout) {
        byte[] datagram = receive(timeout);
        if (datagram == null) {
            return null;
        }
        if (datagram[0] != MediaDatagrams.FORWARDED_MEDIA) {
            throw new AssertionError("not forwarded media: type " + datagram[0]);
        }
        return Arrays.copyOfRange(datagram, 1, datagram.length);
    }

    /** Sends a KEEPALIVE and waits for its echo: the route works and this socket's address is latched. */
    public boolean keepaliveEchoed(Duration timeout) {
        sendKeepalive();
        byte[] echo = receive(timeout);
        return echo != null && echo.length == 5 && echo[0] == MediaDatagrams.KEEPALIVE_ECHO
                && java.nio.ByteBuffer.wrap(echo, 1, 4).getInt() == hopSeq;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
