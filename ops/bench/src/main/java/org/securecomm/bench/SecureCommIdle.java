package org.securecomm.bench;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The SecureComm side of the idle connections comparison: C devices (accounts of up to 6 devices,
 * registered over temporary connections), then C authenticated WebSockets held idle; the relay
 * pings them every 20 s (WebSocket ping frames, answered by java.net.http), its own heartbeat. The
 * node's RSS and heap after a full GC are read with the devices registered but not connected, and
 * again with them connected, as for ejabberd.
 */
final class SecureCommIdle {

    private final RelayBenchmark options;
    private final NodeInfo node;
    private final int connections;
    private final int concurrency;
    private final Duration idle;

    SecureCommIdle(RelayBenchmark options, NodeInfo node, int connections, int concurrency, Duration idle) {
        this.options = options;
        this.node = node;
        this.connections = connections;
        this.concurrency = concurrency;
        this.idle = idle;
    }

    IdleFigures run() {
        long pid = node.pid().orElseThrow(() -> new IllegalStateException("the node's pid is needed for its memory"));
        ErrorCounter errors = new ErrorCounter();
        int perAccount = 6;
        int accounts = (connections + perAccount - 1) / perAccount;
        int httpClients = Math.max(1, (connections + options.connectionsPerHttpClient - 1) / options.connectionsPerHttpClient);
        try (ClientPool pool = new ClientPool(httpClients, options.ioThreads, Duration.ofSeconds(options.requestTimeoutSeconds))) {
            Accounts registry = new Accounts(node.url(), pool, options);
            List<Device> devices = Accounts.runAll("registering " + accounts + " accounts", accounts, options.setupConcurrency,
                    i -> registry.registerWithDevices("i", Math.min(perAccount, connections - i * perAccount)), errors)
                    .stream().filter(Objects::nonNull).flatMap(List::stream).toList();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.openConnections() > 0 && System.nanoTime() < deadline) {
                Scenarios.sleepSeconds(0.1); // the registration connections close asynchronously
            }
            OptionalLong heapBefore = ProcStats.heapUsedAfterGcKib(pid);
            OptionalLong rssBefore = ProcStats.rssKib(pid);
            CpuWindow cpu = CpuWindow.start(node.cpuProcesses(), Set.of("relay node", "Cassandra"));
            long start = System.nanoTime();
            List<BenchConnection> open = Accounts.runAll("connecting and authenticating " + devices.size() + " devices", devices.size(),
                    concurrency, i -> registry.connect(devices.get(i), null), errors).stream().filter(Objects::nonNull).toList();
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            CpuWindow.Usage usage = cpu.stop();
            System.out.printf("  SecureComm: %,d devices connected in %.1f s; idle for %d s%n", open.size(), connectSeconds, idle.toSeconds());
            Scenarios.sleepSeconds(idle.toSeconds());
            int stillOpen = (int) open.stream().filter(BenchConnection::isOpen).count();
            OptionalLong rssAfter = ProcStats.rssKib(pid);
            OptionalLong heapAfter = ProcStats.heapUsedAfterGcKib(pid);
            return new IdleFigures("securecomm", connections, open.size(), connectSeconds, stillOpen, rssBefore, rssAfter, heapBefore,
                    heapAfter, usage, errors.describe());
        }
    }
}
