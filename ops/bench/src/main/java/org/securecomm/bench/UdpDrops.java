package org.securecomm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Datagrams the kernel dropped because a socket's receive buffer was full (the {@code drops}
 * column of Linux's /proc/net/udp and udp6), summed over the sockets whose local port matches:
 * says whether a relay or the load generator's receivers lost the packets. -1 off Linux.
 */
final class UdpDrops {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private UdpDrops() {
    }

    static long sum(IntPredicate localPort) {
        long total = 0;
        try {
            for (Path table : TABLES) {
                List<String> lines = Files.readAllLines(table);
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    int colon = f.length > 1 ? f[1].lastIndexOf(':') : -1;
                    if (colon < 0) {
                        continue;
                    }
                    if (localPort.test(Integer.parseInt(f[1].substring(colon + 1), 16))) {
                        total += Long.parseLong(f[f.length - 1]);
                    }
                }
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
