package org.securecomm.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.relay.media.DropReason;
import org.securecomm.relay.media.MediaAdmission;
import org.securecomm.relay.media.MediaForwarder;

/**
 * The media forwarder in this process, with rooms of participants on real UDP sockets (loopback)
 * sending at a fixed packet rate (open loop: a late sender catches up, it never waits for the
 * forwarder). Each payload carries the nanoTime of its send; a receiver records now minus that,
 * which is the delay the forwarder adds plus the load generator's own send and receive work.
 */
final class ForwarderScenario {

    /** Payload bytes the benchmark uses: the MediaDatagrams payload header, then the send stamp. */
    static final int STAMP_OFFSET = MediaDatagrams.PAYLOAD_HEADER;
    static final int MIN_PAYLOAD = STAMP_OFFSET + 8;

    private final RelayBenchmark options;
    private final LongAdder forwarderIn = new LongAdder();
    private final LongAdder forwarderOut = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder received = new LongAdder();
    // Microseconds, up to an hour.
    private final Recorder delays = new Recorder(3_600_000_000L, 3);
    private volatile boolean running = true;

    private record Participant(DatagramChannel channel, long roomId, long token, int sourceId, long phaseNanos, int[] hopSeq,
                               long[] nextSeq) {
    }

    ForwarderScenario(RelayBenchmark options) {
        this.options = options;
    }

    void run(Report report) throws Exception {
        int rooms = options.rooms;
        int perRoom = options.participants;
        int rate = options.packetRate;
        System.out.printf(Locale.ROOT, "%nforwarder: %d rooms x %d participants, %d packets/s each, %d-byte payloads, %d s warm-up, %d s%n",
                rooms, perRoom, rate, options.payloadBytes, options.forwarderWarmupSeconds, options.durationSeconds);
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
        try (MediaForwarder forwarder = MediaForwarder.start(
                new MediaForwarder.Settings("127.0.0.1", 0, "", options.forwarderThreads), counting);
             Selector selector = Selector.open()) {
            List<Participant> participants = new ArrayList<>();
            long periodNanos = 1_000_000_000L / rate;
            int index = 0;
            for (int r = 0; r < rooms; r++) {
                long roomId = forwarder.openRoom();
                for (int p = 0; p < perRoom; p++) {
                    MediaAdmission.Route route = forwarder.admit(roomId);
                    DatagramChannel channel = DatagramChannel.open();
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                    channel.bind(new InetSocketAddress("127.0.0.1", 0));
                    channel.connect(new InetSocketAddress(route.host(), route.port()));
                    channel.configureBlocking(false);
                    channel.register(selector, SelectionKey.OP_READ);
                    // Senders spread evenly over one period, as independent clients would be.
                    long phase = periodNanos * index / ((long) rooms * perRoom);
                    participants.add(new Participant(channel, roomId, route.token(), index, phase, new int[1], new long[1]));
                    index++;
                }
            }
            Thread receiver = new Thread(() -> receive(selector), "bench-media-receiver");
            Thread sender = new Thread(() -> send(participants, periodNanos), "bench-media-sender");
            receiver.start();
            sender.start();

            Scenarios.sleepSeconds(options.forwarderWarmupSeconds);
            Snapshot start = snapshot(forwarder);
            delays.reset();
            Histogram interval = null;
            Histogram total = new Histogram(3_600_000_000L, 3);
            for (int elapsed = 0; elapsed < options.durationSeconds; elapsed += options.progressSeconds) {
                Scenarios.sleepSeconds(Math.min(options.progressSeconds, options.durationSeconds - elapsed));
                interval = delays.getIntervalHistogram(interval);
                total.add(interval);
                Snapshot now = snapshot(forwarder);
                System.out.printf(Locale.ROOT, "  [%3d s] forwarder in %s, out %s | delay p50 %s p99 %s max %s%n",
                        Math.min(elapsed + options.progressSeconds, options.durationSeconds),
                        Report.rate((now.in - start.in) / now.seconds(start)), Report.rate((now.out - start.out) / now.seconds(start)),
                        us(interval.getValueAtPercentile(50)), us(interval.getValueAtPercentile(99)), us(interval.getMaxValue()));
            }
            Snapshot end = snapshot(forwarder);
            running = false;
            sender.join(5000);
            selector.wakeup();
            receiver.join(5000);
            for (Participant p : participants) {
                p.channel.close();
            }

            double seconds = end.seconds(start);
            double inRate = (end.in - start.in) / seconds;
            double outRate = (end.out - start.out) / seconds;
            double expectedOut = (end.sent - start.sent) * (perRoom - 1.0);
            long lost = Math.max(0, Math.round(expectedOut - (end.received - start.received)));
            report.section(String.format(Locale.ROOT, "forwarder (in process, %d I/O thread(s), loopback UDP): %d rooms x %d participants x %d packets/s,"
                    + " %d-byte payloads, %.0f s measured after %d s warm-up", options.forwarderThreads, rooms, perRoom, rate,
                    options.payloadBytes, seconds, options.forwarderWarmupSeconds));
            report.line("offered %s in (expected %s out)", Report.rate((double) rooms * perRoom * rate),
                    Report.rate((double) rooms * perRoom * rate * (perRoom - 1)));
            report.line("forwarder packets in %s, out %s", Report.rate(inRate), Report.rate(outRate));
            report.line("received by participants %s; not received %d of %.0f (%.3f%%); sender socket refusals %d",
                    Report.rate((end.received - start.received) / seconds), lost, expectedOut, 100.0 * lost / Math.max(1, expectedOut),
                    end.sendFailures - start.sendFailures);
            report.line("forwarder drops (all reasons) %d", end.drops - start.drops);
            report.line("added forwarding delay (send stamp to receive, incl. the generator's own socket work): p50 %s, p90 %s, p99 %s,"
                            + " p99.9 %s, max %s (%d samples)", us(total.getValueAtPercentile(50)), us(total.getValueAtPercentile(90)),
                    us(total.getValueAtPercentile(99)), us(total.getValueAtPercentile(99.9)), us(total.getMaxValue()), total.getTotalCount());
            report.line("CPU of this process (forwarder + load generator): %.2f cores (%.0f%% of %d); forwarder I/O threads alone %.2f cores",
                    (end.processCpuNanos - start.processCpuNanos) / (seconds * 1e9),
                    100 * (end.processCpuNanos - start.processCpuNanos) / (seconds * 1e9 * Runtime.getRuntime().availableProcessors()),
                    Runtime.getRuntime().availableProcessors(), (end.forwarderCpuNanos - start.forwarderCpuNanos) / (seconds * 1e9));
            report.target("forwarder p99 added delay < 5 ms at " + Report.rate((double) rooms * perRoom * rate) + " in",
                    us(total.getValueAtPercentile(99)), total.getTotalCount() == 0 ? null : total.getValueAtPercentile(99) < 5_000);
        }
    }

    private static String us(long micros) {
        return Report.ms(micros);
    }

    private void send(List<Participant> participants, long periodNanos) {
        ByteBuffer datagram = ByteBuffer.allocateDirect(MediaDatagrams.MAX_DATAGRAM);
        byte[] filler = new byte[options.payloadBytes - MIN_PAYLOAD];
        long start = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            for (Participant p : participants) {
                // Open loop: every packet due by now goes, late ones at once.
                while (running && start + p.phaseNanos + p.nextSeq[0] * periodNanos <= now) {
                    p.nextSeq[0]++;
                    datagram.clear();
                    datagram.put(MediaDatagrams.CLIENT_MEDIA).putLong(p.roomId).putLong(p.token).putInt(++p.hopSeq[0])
                            .putInt(p.sourceId).put(MediaDatagrams.KIND_AUDIO).putInt((int) p.nextSeq[0])
                            .putLong(System.nanoTime()).put(filler).flip();
                    try {
                        if (p.channel.write(datagram) == 0) {
                            sendFailures.increment();
                        } else {
                            sent.increment();
                        }
                    } catch (IOException e) {
                        sendFailures.increment();
                    }
                }
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private void receive(Selector selector) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        try {
            while (running) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel channel = (DatagramChannel) key.channel();
                    while (true) {
                        buffer.clear();
                        if (channel.receive(buffer) == null) {
                            break;
                        }
                        long now = System.nanoTime();
                        if (buffer.position() >= 1 + MIN_PAYLOAD && buffer.get(0) == MediaDatagrams.FORWARDED_MEDIA) {
                            received.increment();
                            delays.recordValue(Math.max(0, (now - buffer.getLong(1 + STAMP_OFFSET)) / 1000));
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (running) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private record Snapshot(long nanos, long in, long out, long sent, long sendFailures, long received, long drops,
                            long processCpuNanos, long forwarderCpuNanos) {
        double seconds(Snapshot from) {
            return (nanos - from.nanos) / 1e9;
        }
    }

    private Snapshot snapshot(MediaForwarder forwarder) {
        long drops = 0;
        for (DropReason reason : DropReason.values()) {
            drops += forwarder.dropped(reason);
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long forwarderCpu = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("securecomm-media")) {
                forwarderCpu += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return new Snapshot(System.nanoTime(), forwarderIn.sum(), forwarderOut.sum(), sent.sum(), sendFailures.sum(), received.sum(),
                drops, os.getProcessCpuTime(), forwarderCpu);
    }
}
