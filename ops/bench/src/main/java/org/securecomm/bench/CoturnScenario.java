package org.securecomm.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.securecomm.bench.turn.TurnClient;
import org.securecomm.ops.turn.CoturnServer;
import org.securecomm.ops.turn.TurnRestCredentials;

/**
 * coturn (Debian's turnserver, started on loopback by ops/turn's CoturnServer) relaying the streams
 * of {@link MediaLoad}. coturn is a 1:1 relay, not an SFU: each participant holds one allocation and
 * binds a channel to the receiving socket of every other participant of its room, and sends each
 * packet once per receiver as ChannelData, so coturn's packets out equal the forwarder's. Each copy
 * is stamped when it is written, so the delay is coturn's plus socket work, not the sender's loop.
 */
final class CoturnScenario {

    private static final Duration CREDENTIAL_TTL = Duration.ofHours(12);
    /** Permissions last 5 minutes: refresh well before. */
    private static final Duration REFRESH_EVERY = Duration.ofMinutes(2);
    private static final Duration ALLOCATION_LIFETIME = Duration.ofMinutes(10);

    private final MediaLoad.Shape shape;
    private final int relayThreads;

    /** One participant's sending side: its allocation and a channel per other participant of its room. */
    private record Sender(TurnClient client, int[] channels, int sourceId, long phaseNanos) implements MediaLoad.Stream {

        @Override
        public void send(int seq, ByteBuffer payload, MediaLoad load) throws IOException {
            load.fillPayload(payload, sourceId, seq);
            payload.flip();
            for (int channel : channels) {
                load.restamp(payload, 0);
                payload.rewind();
                load.sent(client.send(channel, payload));
            }
        }
    }

    CoturnScenario(MediaLoad.Shape shape, int relayThreads) {
        this.shape = shape;
        this.relayThreads = relayThreads;
    }

    /** Relay ports coturn gets: one per allocation, with room for ports other processes hold. */
    static int relayPorts(MediaLoad.Shape shape) {
        return Math.min(CoturnServer.Options.MAX_RELAY_PORTS, Math.max(100, shape.senders() * 2 + 100));
    }

    MediaLoad.Result run(Report report) throws Exception {
        System.out.printf(Locale.ROOT, "%ncoturn: %s, relay-threads=%d, %d s warm-up, %d s%n", shape.describe(), relayThreads,
                shape.warmupSeconds(), shape.durationSeconds());
        List<Sender> senders = new ArrayList<>();
        List<DatagramChannel> receivers = new ArrayList<>();
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-turn-refresh");
            t.setDaemon(true);
            return t;
        });
        CoturnServer coturn = CoturnServer.start(CoturnServer.Options.benchmark(relayPorts(shape), relayThreads));
        try (Selector selector = Selector.open()) {
            String version = debianVersion();
            long setupStart = System.nanoTime();
            for (int i = 0; i < shape.senders(); i++) {
                DatagramChannel receiver = DatagramChannel.open();
                receivers.add(receiver);
                receiver.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                receiver.bind(new InetSocketAddress(coturn.host(), 0));
                receiver.configureBlocking(false);
                receiver.register(selector, SelectionKey.OP_READ);
            }
            long periodNanos = 1_000_000_000L / shape.packetRate();
            for (int i = 0; i < shape.senders(); i++) {
                TurnRestCredentials credentials = coturn.credentials("bench" + i, CREDENTIAL_TTL);
                TurnClient client = TurnClient.allocate(coturn.address(), credentials.username(), credentials.password(),
                        ALLOCATION_LIFETIME);
                int room = i / shape.participants();
                int[] channels = new int[shape.participants() - 1];
                int c = 0;
                for (int p = 0; p < shape.participants(); p++) {
                    int peer = room * shape.participants() + p;
                    if (peer != i) {
                        channels[c++] = client.bindChannel((InetSocketAddress) receivers.get(peer).getLocalAddress());
                    }
                }
                senders.add(new Sender(client, channels, i, periodNanos * i / shape.senders()));
            }
            System.out.printf(Locale.ROOT, "  %d allocations and %d channel bindings in %.1f s (coturn pid %d, %s)%n", senders.size(),
                    senders.size() * (shape.participants() - 1), (System.nanoTime() - setupStart) / 1e9, coturn.pid(), version);
            refresher.scheduleAtFixedRate(() -> refreshAll(senders), REFRESH_EVERY.toSeconds(), REFRESH_EVERY.toSeconds(),
                    TimeUnit.SECONDS);

            Map<String, Long> pids = Map.of("coturn", coturn.pid());
            ProcStats.CpuSample[] cpu = new ProcStats.CpuSample[2];
            long[] generatorCpu = new long[1];
            MediaLoad load = new MediaLoad(shape, "coturn");
            MediaLoad.Window window = new MediaLoad.Window() {
                @Override
                public void opened() {
                    cpu[0] = ProcStats.sampleCpu(pids);
                    generatorCpu[0] = MediaLoad.processCpuNanos();
                }

                @Override
                public void closed() {
                    cpu[1] = ProcStats.sampleCpu(pids);
                    generatorCpu[0] = MediaLoad.processCpuNanos() - generatorCpu[0];
                }
            };
            Set<Integer> receiverPorts = new HashSet<>();
            for (DatagramChannel r : receivers) {
                receiverPorts.add(((InetSocketAddress) r.getLocalAddress()).getPort());
            }
            int listening = coturn.port();
            int minRelay = coturn.minRelayPort();
            int maxRelay = coturn.maxRelayPort();
            MediaLoad.Result result = load.run(senders, selector, datagram -> 0, 1, load::sentSoFar, load::receivedSoFar,
                    // A receiver's ephemeral port may fall inside coturn's relay range: it is the receiver's.
                    port -> !receiverPorts.contains(port) && (port == listening || (port >= minRelay && port <= maxRelay)),
                    receiverPorts::contains, window);
            long threads = ProcStats.threads(coturn.pid()).orElse(-1);
            if (!coturn.isAlive()) {
                throw new IllegalStateException("coturn died during the run; see " + coturn.logFile());
            }

            double seconds = result.seconds();
            Double percent = ProcStats.cpuPercent(cpu[0], cpu[1]).get("coturn");
            double coturnCores = percent == null ? Double.NaN : percent / 100;
            result = result.withRelayCores(coturnCores);
            report.section(String.format(Locale.ROOT, "coturn (%s, separate process, relay-threads=%d, %d threads in all, loopback UDP): %s,"
                    + " %.0f s measured after %d s warm-up", version, relayThreads, threads, shape.describe(), seconds, shape.warmupSeconds()));
            result.report(report, "coturn");
            report.line("(coturn keeps no counters here: relay in = ChannelData the load generator's sockets sent, out = what the peers got)");
            report.line("CPU: coturn process %.2f cores (%.1f µs per packet out); the load generator (this JVM) %.2f cores",
                    coturnCores, result.cpuMicrosPerPacketOut(), generatorCpu[0] / (seconds * 1e9));
            report.line("per participant: 1 allocation, %d channels, each packet sent %d times as ChannelData (%d + 4 bytes)",
                    shape.participants() - 1, shape.participants() - 1, shape.payloadBytes());
            report.metric("media", "coturn", "relay threads", relayThreads, "threads");
            return result;
        } finally {
            refresher.shutdownNow();
            for (Sender s : senders) {
                try {
                    s.client.close();
                } catch (IOException e) {
                    System.err.println("  closing an allocation: " + e.getMessage());
                }
            }
            for (DatagramChannel r : receivers) {
                r.close();
            }
            // After the allocations: they are deleted with Refresh(0) first, as a client would.
            coturn.close();
        }
    }

    /** coturn's Debian package version, for the report. */
    private static String debianVersion() {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "coturn").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !out.isEmpty() ? "coturn " + out : "coturn";
        } catch (IOException e) {
            return "coturn";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "coturn";
        }
    }

    private static void refreshAll(List<Sender> senders) {
        for (Sender s : senders) {
            try {
                s.client.refreshAll(ALLOCATION_LIFETIME);
            } catch (IOException e) {
                System.err.println("  refreshing an allocation: " + e.getMessage());
            }
        }
    }
}
