package org.securecomm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What Linux's /proc/net/udp and udp6 say about the UDP sockets whose local port matches: datagrams
 * dropped because the receive buffer was full ({@code drops}), and bytes waiting to be read
 * ({@code rx_queue}). Tells whether packets were lost, or waited, at a relay or at the load
 * generator's receivers. -1 off Linux.
 */
final class UdpSockets {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    record Totals(long drops, long queuedBytes) {
        static final Totals UNKNOWN = new Totals(-1, -1);
    }

    private UdpSockets() {
    }

    static Totals of(IntPredicate localPort) {
        long drops = 0;
        long queued = 0;
        try {
            for (Path table : TABLES) {
                List<String> lines = Files.readAllLines(table);
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    // sl local_address rem_address st tx_queue:rx_queue ... drops
                    String[] f = line.trim().split("\\s+");
                    int colon = f.length > 5 ? f[1].lastIndexOf(':') : -1;
                    if (colon < 0 || !localPort.test(Integer.parseInt(f[1].substring(colon + 1), 16))) {
                        continue;
                    }
                    drops += Long.parseLong(f[f.length - 1]);
                    queued += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
            return new Totals(drops, queued);
        } catch (IOException | RuntimeException e) {
            return Totals.UNKNOWN;
        }
    }
}
