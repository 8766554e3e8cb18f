package org.securecomm.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.relay.media.DropReason;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.media.MediaForwarder;

/**
 * The media forwarder in this process, with the streams of {@link MediaLoad}: each participant
 * sends each packet once, the forwarder fans it out to the other participants of its room (an SFU).
 */
final class ForwarderScenario {

    /** Payload bytes the benchmark uses: the MediaDatagrams payload header, then the send stamp. */
    static final int MIN_PAYLOAD = MediaLoad.MIN_PAYLOAD;

    private final MediaLoad.Shape shape;
    private final int threads;
    private final LongAdder forwarderIn = new LongAdder();
    private final LongAdder forwarderOut = new LongAdder();

    /** One participant: its socket, connected to the forwarder, and its admission. */
    private record Participant(DatagramChannel channel, long roomId, long token, int sourceId, long phaseNanos, int[] hopSeq)
            implements MediaLoad.Stream {

        @Override
        public void send(int seq, ByteBuffer datagram, MediaLoad load) throws IOException {
            datagram.put(MediaDatagrams.CLIENT_MEDIA).putLong(roomId).putLong(token).putInt(++hopSeq[0]);
            load.fillPayload(datagram, sourceId, seq);
            datagram.flip();
            load.sent(channel.write(datagram) > 0);
        }
    }

    ForwarderScenario(RelayBenchmark options) {
        this(options.media.shape(options.media.packetRate, options.durationSeconds, options.progressSeconds), options.media.forwarderThreads);
    }

    ForwarderScenario(MediaLoad.Shape shape, int threads) {
        this.shape = shape;
        this.threads = threads;
    }

    MediaLoad.Result run(Report report) throws Exception {
        System.out.printf(Locale.ROOT, "%nforwarder: %s, %d I/O thread(s), %d s warm-up, %d s%n", shape.describe(), threads,
                shape.warmupSeconds(), shape.durationSeconds());
        MediaForwarder.Listener counting = new MediaForwarder.Listener() {
            @Override
            public void received(int bytes) {
                forwarderIn.increment();
            }

            @Override
            public void sent(int bytes) {
                forwarderOut.increment();
            }

            @Override
            public void dropped(DropReason reason) {
            }
        };
        List<Participant> participants = new ArrayList<>();
        try (MediaForwarder forwarder = MediaForwarder.start(new MediaForwarder.Settings("127.0.0.1", 0, "", threads), counting);
             Selector selector = Selector.open()) {
            long periodNanos = 1_000_000_000L / shape.packetRate();
            int index = 0;
            for (int r = 0; r < shape.rooms(); r++) {
                long roomId = forwarder.openRoom();
                for (int p = 0; p < shape.participants(); p++) {
                    MediaAdmission.Route route = forwarder.admit(roomId);
                    DatagramChannel channel = DatagramChannel.open();
                    participants.add(new Participant(channel, roomId, route.token(), index,
                            periodNanos * index / shape.senders(), new int[1]));
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                    channel.bind(new InetSocketAddress("127.0.0.1", 0));
                    channel.connect(new InetSocketAddress(route.host(), route.port()));
                    channel.configureBlocking(false);
                    channel.register(selector, SelectionKey.OP_READ);
                    index++;
                }
            }
            long[] cpu = new long[4];
            MediaLoad.Window window = new MediaLoad.Window() {
                @Override
                public void opened() {
                    cpu[0] = MediaLoad.processCpuNanos();
                    cpu[1] = forwarderCpuNanos();
                    cpu[2] = drops(forwarder);
                }

                @Override
                public void closed() {
                    cpu[0] = MediaLoad.processCpuNanos() - cpu[0];
                    cpu[1] = forwarderCpuNanos() - cpu[1];
                    cpu[2] = drops(forwarder) - cpu[2];
                }
            };
            int forwarderPort = forwarder.port();
            Set<Integer> participantPorts = new HashSet<>();
            for (Participant p : participants) {
                participantPorts.add(((InetSocketAddress) p.channel.getLocalAddress()).getPort());
            }
            MediaLoad.Result result = new MediaLoad(shape, "forwarder").run(participants, selector,
                    datagram -> datagram.get(0) == MediaDatagrams.FORWARDED_MEDIA ? 1 : -1,
                    shape.participants() - 1, forwarderIn::sum, forwarderOut::sum, port -> port == forwarderPort,
                    participantPorts::contains, window);

            double seconds = result.seconds();
            double forwarderCores = cpu[1] / (seconds * 1e9);
            result = result.withRelayCores(forwarderCores);
            report.section(String.format(Locale.ROOT, "forwarder (SecureComm, in process, %d I/O thread(s), loopback UDP): %s,"
                    + " %.0f s measured after %d s warm-up", threads, shape.describe(), seconds, shape.warmupSeconds()));
            result.report(report, "securecomm");
            report.line("forwarder drops (all reasons) %d", cpu[2]);
            report.line("CPU: forwarder I/O threads %.2f cores (%.1f µs per packet out); the load generator (rest of this JVM) %.2f cores",
                    forwarderCores, result.cpuMicrosPerPacketOut(), cpu[0] / (seconds * 1e9) - forwarderCores);
            report.metric("media", "securecomm", "relay threads", threads, "threads");
            report.target("forwarder p99 added delay < 5 ms at " + Report.rate(shape.offeredIn()) + " in",
                    Report.ms(result.delays().getValueAtPercentile(99)),
                    result.delays().getTotalCount() == 0 ? null : result.delays().getValueAtPercentile(99) < 5_000);
            return result;
        } finally {
            for (Participant p : participants) {
                p.channel.close();
            }
        }
    }

    private static long drops(MediaForwarder forwarder) {
        long drops = 0;
        for (DropReason reason : DropReason.values()) {
            drops += forwarder.dropped(reason);
        }
        return drops;
    }

    /** CPU of the forwarder's I/O threads (they run in this JVM). */
    private static long forwarderCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("securecomm-media")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
