package org.securecomm.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Ping;

/**
 * Scenario 3: C devices connected, authenticated and idle. Accounts are registered first with up
 * to {@code devicesPerAccount} devices each (the primary adds the others over a temporary
 * connection), then every device opens its own WebSocket and authenticates. The node's heap after
 * a full GC is read before registering (a), after registering with no device connected (b) and
 * after the connections sat idle for a while (c): (c - b) / C is the heap one idle connected
 * device costs; (c - a) / C adds the account state registration left in memory.
 */
final class IdleScenario {

    private final RelayBenchmark options;
    private final NodeInfo node;

    IdleScenario(RelayBenchmark options, NodeInfo node) {
        this.options = options;
        this.node = node;
    }

    /** Answers how many connections were still open (and answered a ping) after the idle period. */
    int run(Report report) {
        int target = options.connections;
        int perAccount = Math.max(1, Math.min(6, options.devicesPerAccount));
        int accountsNeeded = (target + perAccount - 1) / perAccount;
        int httpClients = Math.max(1, (target + options.connectionsPerHttpClient - 1) / options.connectionsPerHttpClient);
        System.out.printf(Locale.ROOT, "%n== idle connections: %,d devices (%,d accounts of up to %d devices), %d HttpClients;"
                        + " idle for %d s%n", target, accountsNeeded, perAccount, httpClients, options.idleSeconds);
        ErrorCounter setupErrors = new ErrorCounter();
        ErrorCounter errors = new ErrorCounter();
        boolean local = node.pid().isPresent();
        long nodePid = node.pid().orElse(-1L);

        OptionalLong heapA = local ? ProcStats.heapUsedAfterGcKib(nodePid) : OptionalLong.empty();
        OptionalLong rssA = local ? ProcStats.rssKib(nodePid) : OptionalLong.empty();
        long clientHeapA = ProcStats.ownHeapUsedAfterGcKib();
        System.out.println("  node before: heap after GC " + kib(heapA) + ", RSS " + kib(rssA));

        try (ClientPool pool = new ClientPool(httpClients, options.ioThreads, Duration.ofSeconds(options.requestTimeoutSeconds))) {
            Accounts accounts = new Accounts(node.url(), pool, options);
            // 1. accounts and devices
            List<List<Device>> registered = Accounts.runAll("registering " + accountsNeeded + " accounts", accountsNeeded,
                    options.setupConcurrency, i -> accounts.registerWithDevices("i", Math.min(perAccount, target - i * perAccount)),
                    setupErrors);
            List<Device> devices = registered.stream().filter(Objects::nonNull).flatMap(List::stream).toList();
            waitForClosedSetupConnections(pool);
            OptionalLong heapB = local ? ProcStats.heapUsedAfterGcKib(nodePid) : OptionalLong.empty();
            Map<String, ProcStats.ClassUsage> nodeClassesB = options.histograms && local ? ProcStats.classHistogram(nodePid) : Map.of();
            Map<String, ProcStats.ClassUsage> ownClassesB = options.histograms
                    ? ProcStats.classHistogram(ProcessHandle.current().pid()) : Map.of();
            System.out.println("  node after registering " + devices.size() + " devices (none connected): heap after GC " + kib(heapB));

            // 2. connect and authenticate every device
            long connectStart = System.nanoTime();
            AtomicInteger lost = new AtomicInteger();
            List<BenchConnection> connections = Accounts.runAll("connecting and authenticating " + devices.size() + " devices",
                    devices.size(), options.connectConcurrency, i -> accounts.connect(devices.get(i), null).thenApply(c -> {
                        c.closed().whenComplete((code, e) -> lost.incrementAndGet());
                        return c;
                    }), setupErrors);
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            List<BenchConnection> open = connections.stream().filter(Objects::nonNull).toList();
            int connected = open.size();
            Map<String, Double> metricsConnected = node.scrape();
            System.out.printf(Locale.ROOT, "  %,d devices connected in %.1f s; the node counts %s authenticated connections%n", connected,
                    connectSeconds, metricOrUnknown(metricsConnected, "securecomm_websocket_authenticated_connections"));

            // 3. idle
            long idleStart = System.nanoTime();
            while (System.nanoTime() - idleStart < TimeUnit.SECONDS.toNanos(options.idleSeconds)) {
                Scenarios.sleepSeconds(Math.min(5, options.idleSeconds));
                System.out.printf(Locale.ROOT, "  [idle %3.0f s] %,d open, %d closed by the relay or lost%n",
                        (System.nanoTime() - idleStart) / 1e9, pool.openConnections(), lost.get());
            }
            int stillOpen = (int) open.stream().filter(BenchConnection::isOpen).count();
            Map<String, Double> metricsIdle = node.scrape();
            OptionalLong heapC = local ? ProcStats.heapUsedAfterGcKib(nodePid) : OptionalLong.empty();
            OptionalLong rssC = local ? ProcStats.rssKib(nodePid) : OptionalLong.empty();
            OptionalLong threads = local ? ProcStats.threads(nodePid) : OptionalLong.empty();
            OptionalLong cassandraRss = node.cassandraPid().map(ProcStats::rssKib).orElse(OptionalLong.empty());
            long clientHeapC = ProcStats.ownHeapUsedAfterGcKib();
            OptionalLong clientRss = ProcStats.rssKib(ProcessHandle.current().pid());
            if (options.histograms && stillOpen > 0) {
                if (local) {
                    System.out.println("  node heap growth per idle connected device, by class (jcmd GC.class_histogram):");
                    ProcStats.histogramGrowth(nodeClassesB, ProcStats.classHistogram(nodePid), stillOpen, 25)
                            .forEach(line -> System.out.println("    " + line));
                }
                System.out.println("  load generator heap growth per connection, by class:");
                ProcStats.histogramGrowth(ownClassesB, ProcStats.classHistogram(ProcessHandle.current().pid()), stillOpen, 15)
                        .forEach(line -> System.out.println("    " + line));
            }

            // 4. are they alive? one Ping each
            AtomicInteger answered = new AtomicInteger();
            long pingStart = System.nanoTime();
            List<BenchConnection> stillOpenList = open.stream().filter(BenchConnection::isOpen).toList();
            Accounts.runAll("pinging " + stillOpenList.size() + " idle connections", stillOpenList.size(), options.connectConcurrency * 4,
                    i -> stillOpenList.get(i).call(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance()))
                            .thenApply(r -> answered.incrementAndGet()), errors);
            double pingSeconds = (System.nanoTime() - pingStart) / 1e9;

            report.section(String.format(Locale.ROOT, "idle connections (%,d requested, %d devices per account, idle %d s)",
                    target, perAccount, options.idleSeconds));
            report.line("connected and authenticated: %,d in %.1f s (%s/s); still open after %d s idle: %,d; answered a ping then: %,d (in %.1f s)",
                    connected, connectSeconds, String.format(Locale.ROOT, "%.0f", connected / Math.max(connectSeconds, 1e-3)),
                    options.idleSeconds, stillOpen, answered.get(), pingSeconds);
            report.line("node says: %s authenticated connections",
                    metricOrUnknown(metricsIdle, "securecomm_websocket_authenticated_connections"));
            if (heapA.isPresent() && heapB.isPresent() && heapC.isPresent() && stillOpen > 0) {
                report.line("node heap after full GC: %s before registering, %s registered and disconnected, %s with %,d idle devices",
                        ProcStats.mib(heapA.getAsLong()), ProcStats.mib(heapB.getAsLong()), ProcStats.mib(heapC.getAsLong()), stillOpen);
                report.line("heap per idle connected device: %.1f KiB (connection only, c-b); %.1f KiB including its account's state (c-a)",
                        (heapC.getAsLong() - heapB.getAsLong()) / (double) stillOpen, (heapC.getAsLong() - heapA.getAsLong()) / (double) stillOpen);
            } else {
                report.line("node heap: not measured (%s)", local ? "jcmd failed or nothing connected" : "node pid unknown: give --node-pid");
            }
            report.line("node RSS: %s before, %s with the idle devices; node threads %s; Cassandra RSS %s",
                    kib(rssA), kib(rssC), threads.isPresent() ? Long.toString(threads.getAsLong()) : "?", kib(cassandraRss));
            report.line("load generator: heap after GC %s for %,d connections (%.1f KiB each), RSS %s, %d HttpClients",
                    ProcStats.mib(clientHeapC), stillOpen, stillOpen == 0 ? 0.0 : (clientHeapC - clientHeapA) / (double) stillOpen, kib(clientRss),
                    pool.httpClients());
            report.line("errors: setup %s; pings %s", setupErrors.describe(), errors.describe());
            report.target(String.format(Locale.ROOT, "%,d idle authenticated connections held", target),
                    String.format(Locale.ROOT, "%,d open and answering after %d s", answered.get(), options.idleSeconds), answered.get() >= target);
            System.out.println("  closing " + pool.openConnections() + " connections...");
            return answered.get();
        }
    }

    /** The registration connections close asynchronously; wait a little so they are not counted in (b). */
    private static void waitForClosedSetupConnections(ClientPool pool) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.openConnections() > 0 && System.nanoTime() < deadline) {
            Scenarios.sleepSeconds(0.1);
        }
        Scenarios.sleepSeconds(1);
    }

    private static String metricOrUnknown(Map<String, Double> metrics, String name) {
        Double value = metrics.get(name);
        return value == null ? "?" : String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String kib(OptionalLong kib) {
        return kib.isPresent() ? ProcStats.mib(kib.getAsLong()) : "?";
    }
}
