package org.securecomm.ops.turn;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a coturn on one machine, asked of the kernel rather than assumed: the listening port
 * must be free for both UDP and TCP (coturn opens both), the relay range must be free for UDP.
 * Another process may still take a port between this check and coturn's bind; the randomly placed
 * range makes two launchers colliding unlikely, and coturn skips a relay port it cannot bind.
 */
final class LoopbackPorts {

    private static final int RANGE_LOW = 20_000;
    private static final int RANGE_HIGH = 60_000;
    private static final int ATTEMPTS = 100;

    private LoopbackPorts() {
    }

    /** A port free for UDP and TCP on {@code address}. */
    static int listeningPort(InetAddress address) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, 0))) {
                int port = udp.getLocalPort();
                if (tcpFree(address, port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot bind a UDP socket on " + address.getHostAddress(), e);
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP on " + address.getHostAddress());
    }

    /** The first port of {@code count} consecutive ports that are free for UDP on {@code address}. */
    static int udpRange(InetAddress address, int count) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int first = random.nextInt(RANGE_LOW, RANGE_HIGH - count);
            if (udpFree(address, first, count)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free UDP ports on " + address.getHostAddress());
    }

    private static boolean tcpFree(InetAddress address, int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(address, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One port at a time: a range of thousands cannot be held at once under the open-files limit. */
    private static boolean udpFree(InetAddress address, int first, int count) {
        for (int port = first; port < first + count; port++) {
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(address, port))) {
                // free now
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
