package org.securecomm.ops.turn;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * One STUN Binding request over UDP (RFC 8489): a TURN server that answers it with a success
 * response is listening. Needs no credentials (coturn answers Binding without authentication).
 */
final class StunBindingProbe {

    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    static final int MAGIC_COOKIE = 0x2112A442;
    private static final int HEADER = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private StunBindingProbe() {
    }

    /** Whether {@code server} answered a Binding request with a matching success response within {@code timeout}. */
    static boolean answers(InetSocketAddress server, Duration timeout) {
        byte[] transactionId = new byte[12];
        RANDOM.nextBytes(transactionId);
        byte[] request = ByteBuffer.allocate(HEADER).putShort((short) BINDING_REQUEST).putShort((short) 0)
                .putInt(MAGIC_COOKIE).put(transactionId).array();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0))) {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            socket.send(new DatagramPacket(request, request.length, server));
            byte[] buffer = new byte[1500];
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() - deadline < 0) {
                DatagramPacket response = new DatagramPacket(buffer, buffer.length);
                socket.receive(response);
                if (isSuccessFor(transactionId, response)) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // ICMP port unreachable (nothing listens yet) surfaces as PortUnreachableException.
            return false;
        }
    }

    private static boolean isSuccessFor(byte[] transactionId, DatagramPacket packet) {
        if (packet.getLength() < HEADER) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.wrap(packet.getData(), packet.getOffset(), packet.getLength());
        int type = buffer.getShort() & 0xFFFF;
        buffer.getShort();
        int cookie = buffer.getInt();
        byte[] id = new byte[12];
        buffer.get(id);
        return type == BINDING_SUCCESS && cookie == MAGIC_COOKIE && Arrays.equals(id, transactionId);
    }
}
