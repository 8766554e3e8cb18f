package org.securecomm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Listening ports for the servers the benchmark starts (relay node, ejabberd). They are taken below
 * the kernel's ephemeral range: the load generator opens and closes tens of thousands of client
 * sockets whose local ports come from that range, and a port chosen there can be held by one of them
 * (or by its TIME_WAIT) when the server binds, which then fails with "Address already in use".
 */
public final class ListenPorts {

    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private ListenPorts() {
    }

    /** A loopback TCP port free now, also for a server that does not set SO_REUSEADDR. */
    public static int free() throws IOException {
        int below = ephemeralLow();
        if (below - LOWEST > ATTEMPTS) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                int port = random.nextInt(LOWEST, below);
                if (bindable(port)) {
                    return port;
                }
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort(); // no room below the ephemeral range: the kernel's choice
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the ephemeral range (Linux default 32768). */
    static int ephemeralLow() {
        // Line by line: Files.readString sizes its read by the file's length, and procfs files report 0 (it read "3").
        try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
            String line = reader.readLine();
            return line == null ? DEFAULT_EPHEMERAL_LOW : Integer.parseInt(line.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
