package org.securecomm.client.call.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.securecomm.protocol.MediaDatagrams;

/**
 * A tiny UDP media forwarder for ForwarderTransportTest: echoes KEEPALIVEs of its one room and
 * token (0x04 | hop seq) and records every client datagram it accepts. Not the relay's forwarder:
 * just enough of the datagram contract to test one client class against real sockets.
 */
final class ForwarderStandIn implements AutoCloseable {

    record Received(byte type, long roomId, long token, int hopSeq, byte[] payload) {
    }

    private final DatagramSocket socket;
    private final long roomId;
    private final long token;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile SocketAddress client;
    private volatile boolean echo = true;

    ForwarderStandIn(long roomId, long token) throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.roomId = roomId;
        this.token = token;
        this.thread = new Thread(this::run, "forwarder-stand-in");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    BlockingQueue<Received> received() {
        return received;
    }

    void stopEchoing() {
        echo = false;
    }

    /** Sends raw bytes to the last client seen, as the forwarder does with forwarded media. */
    void sendToClient(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, client));
    }

    private void run() {
        byte[] buffer = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return;
            }
            ByteBuffer datagram = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
            if (packet.getLength() < MediaDatagrams.CLIENT_HEADER) {
                continue;
            }
            byte type = datagram.get();
            long room = datagram.getLong();
            long tok = datagram.getLong();
            int hopSeq = datagram.getInt();
            if (room != roomId || tok != token) {
                continue; // not admitted
            }
            client = packet.getSocketAddress();
            received.add(new Received(type, room, tok, hopSeq,
                    Arrays.copyOfRange(packet.getData(), MediaDatagrams.CLIENT_HEADER, packet.getLength())));
            if (type == MediaDatagrams.CLIENT_KEEPALIVE && echo) {
                byte[] reply = ByteBuffer.allocate(5).put(MediaDatagrams.KEEPALIVE_ECHO).putInt(hopSeq).array();
                try {
                    socket.send(new DatagramPacket(reply, reply.length, client));
                } catch (IOException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
