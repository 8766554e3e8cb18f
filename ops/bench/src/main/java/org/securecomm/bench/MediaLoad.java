package org.securecomm.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.MediaDatagrams;

/**
 * The media streams of a call benchmark, whatever relays them (the SecureComm media forwarder, or
 * coturn): rooms of participants on real loopback UDP sockets, each sending at a fixed packet rate,
 * open loop (a late sender catches up, it never waits for the relay), send times spread evenly over
 * one period as independent clients would be. Every datagram's payload carries the nanoTime of its
 * send; one receiver thread records now minus that: the delay the relay adds plus the load
 * generator's own socket work.
 *
 * <p>The payload is the same for both relays: {@link MediaDatagrams#PAYLOAD_HEADER} bytes (source,
 * kind, sequence), the 8-byte stamp, filler up to {@link Shape#payloadBytes}.
 */
final class MediaLoad {

    static final int STAMP_OFFSET = MediaDatagrams.PAYLOAD_HEADER;
    static final int MIN_PAYLOAD = STAMP_OFFSET + 8;
    private static final long PARK_NANOS = 200_000;
    /** After the window closes, how long packets sent within it may still arrive and count. */
    private static final double DRAIN_SECONDS = 1;

    /** The streams: the same flags drive the forwarder and the coturn scenario. */
    record Shape(int rooms, int participants, int packetRate, int payloadBytes, int warmupSeconds, int durationSeconds,
                 int progressSeconds) {

        int senders() {
            return rooms * participants;
        }

        double offeredIn() {
            return (double) senders() * packetRate;
        }

        /** Packets receivers should get per second: every packet to every other participant of its room. */
        double offeredOut() {
            return offeredIn() * (participants - 1);
        }

        Shape withPacketRate(int rate) {
            return new Shape(rooms, participants, rate, payloadBytes, warmupSeconds, durationSeconds, progressSeconds);
        }

        /** What is wrong with these values, or null. */
        String problem() {
            if (rooms < 1 || participants < 2 || packetRate < 1 || packetRate > 10_000) {
                return "--rooms must be positive, --participants at least 2, --packet-rate 1 to 10000";
            }
            if (payloadBytes < MIN_PAYLOAD || payloadBytes > MediaDatagrams.MAX_PAYLOAD) {
                return "--payload must be " + MIN_PAYLOAD + " to " + MediaDatagrams.MAX_PAYLOAD + " bytes";
            }
            if (warmupSeconds < 0 || durationSeconds < 1 || progressSeconds < 1) {
                return "--forwarder-warmup cannot be negative, --duration and --progress must be positive";
            }
            return null;
        }

        String describe() {
            return String.format(Locale.ROOT, "%d rooms x %d participants x %d packets/s, %d-byte payloads", rooms, participants,
                    packetRate, payloadBytes);
        }
    }

    /** One participant's outgoing stream. */
    interface Stream {
        /** When in each period this participant sends. */
        long phaseNanos();

        /**
         * Sends packet {@code seq}: fills {@code payload} (see {@link #fillPayload}) and writes it in
         * the relay's framing, counting each datagram with {@link #sent}.
         */
        void send(int seq, ByteBuffer scratch, MediaLoad load) throws IOException;
    }

    /** Where a received datagram's payload starts, or -1 when it is not a benchmark packet. */
    interface PayloadLocator {
        int payloadOffset(ByteBuffer datagram);
    }

    /** Where the measurement window opens and closes, for the relay's own counters and CPU. */
    interface Window {
        void opened();

        void closed();
    }

    private final Shape shape;
    private final String label;
    private final byte[] filler;
    private final LongAdder sent = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder received = new LongAdder();
    // Loss counts by send stamp: packets sent within the window against those of them received, so
    // packets in flight at either edge of the window count on neither side.
    private final LongAdder sentInWindow = new LongAdder();
    private final LongAdder receivedInWindow = new LongAdder();
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    /** The stamp of the datagram being sent (sender thread only). */
    private long lastStamp;
    // Microseconds, up to an hour.
    private final Recorder delays = new Recorder(3_600_000_000L, 3);
    private volatile boolean running = true;

    MediaLoad(Shape shape, String label) {
        this.shape = shape;
        this.label = label;
        this.filler = new byte[shape.payloadBytes() - MIN_PAYLOAD];
    }

    /** Appends the benchmark payload of packet {@code seq} of {@code source}, stamped now. */
    void fillPayload(ByteBuffer buffer, int source, int seq) {
        lastStamp = System.nanoTime();
        buffer.putInt(source).put(MediaDatagrams.KIND_AUDIO).putInt(seq).putLong(lastStamp).put(filler);
    }

    /** Stamps again the payload that starts at {@code payloadOffset} (for a copy sent later than the first). */
    void restamp(ByteBuffer buffer, int payloadOffset) {
        lastStamp = System.nanoTime();
        buffer.putLong(payloadOffset + STAMP_OFFSET, lastStamp);
    }

    /** Counts the datagram just stamped and written: accepted by its socket, or refused (full buffer, error). */
    void sent(boolean accepted) {
        if (!accepted) {
            refused.increment();
            return;
        }
        sent.increment();
        if (inWindow(lastStamp)) {
            sentInWindow.increment();
        }
    }

    private boolean inWindow(long stamp) {
        return stamp - windowStart >= 0 && stamp - windowEnd < 0;
    }

    /** Datagrams the load generator's sockets accepted so far. */
    long sentSoFar() {
        return sent.sum();
    }

    /** Benchmark datagrams the receivers got so far. */
    long receivedSoFar() {
        return received.sum();
    }

    /**
     * The outcome of one measurement window: relay rates from its counters; {@code sent} and
     * {@code received} are the datagrams stamped within the window, and those of them received
     * by the end of the drain.
     */
    record Result(Shape shape, double seconds, double relayIn, double relayOut, long sent, long refused, long received,
                  double expected, Histogram delays, long relayBufferDrops, long receiverBufferDrops, long relayQueuedBytes,
                  long receiverQueuedBytes, double relayCores) {

        /** This result with the CPU the relay used in the window (cores), which only its scenario can measure. */
        Result withRelayCores(double cores) {
            return new Result(shape, seconds, relayIn, relayOut, sent, refused, received, expected, delays, relayBufferDrops,
                    receiverBufferDrops, relayQueuedBytes, receiverQueuedBytes, cores);
        }

        /** The relay's CPU per packet it sent out, in microseconds: comparable between an SFU and a 1:1 relay. */
        double cpuMicrosPerPacketOut() {
            return relayCores * 1e6 / Math.max(1, relayOut);
        }

        double receivedRate() {
            return received / seconds;
        }

        long lost() {
            return Math.max(0, Math.round(expected - received));
        }

        double lossPercent() {
            return 100.0 * lost() / Math.max(1, expected);
        }

        /** The lines and metrics both relays share. */
        void report(Report report, String system) {
            report.line("offered %s in, %s out to receivers", Report.rate(shape.offeredIn()), Report.rate(shape.offeredOut()));
            report.line("relay packets in %s, out %s", Report.rate(relayIn), Report.rate(relayOut));
            report.line("received by participants %s; not received %d of %.0f sent in the window (%.3f%%); load generator socket refusals %d",
                    Report.rate(receivedRate()), lost(), expected, lossPercent(), refused);
            report.line("dropped by the kernel, receive buffer full (/proc/net/udp): at the relay's sockets %s, at the participants' %s",
                    count(relayBufferDrops), count(receiverBufferDrops));
            report.line("waiting to be read when the window closed (rx_queue, bytes incl. kernel overhead): in the relay's sockets %s,"
                    + " in the participants' %s (where the delay builds up)", count(relayQueuedBytes), count(receiverQueuedBytes));
            report.line("added delay (send stamp to receive, incl. the load generator's own socket work): %s",
                    Report.percentiles(delays));
            double load = shape.offeredOut();
            report.metric(new Report.Metric("media", system, "offered out", load, "1/s", load));
            report.metric(new Report.Metric("media", system, "packets in", relayIn, "1/s", load));
            report.metric(new Report.Metric("media", system, "packets out", relayOut, "1/s", load));
            report.metric(new Report.Metric("media", system, "received", receivedRate(), "1/s", load));
            report.metric(new Report.Metric("media", system, "loss", lossPercent(), "%", load));
            report.latencyMetrics("media", system, "added delay", delays, load);
            report.metric(new Report.Metric("media", system, "relay CPU", relayCores, "cores", load));
            report.metric(new Report.Metric("media", system, "relay CPU per packet out", cpuMicrosPerPacketOut(), "µs", load));
            report.metric(new Report.Metric("media", system, "relay socket drops", relayBufferDrops, "packets", load));
            report.metric(new Report.Metric("media", system, "receiver socket drops", receiverBufferDrops, "packets", load));
        }

        private static String count(long n) {
            return n < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", n);
        }
    }

    /**
     * Runs the streams: warm-up, then the measured window with a progress line every so often.
     * {@code relayIn}/{@code relayOut} count what the relay took in and sent out so far;
     * {@code receptionsPerDatagram} is how many receivers each accepted datagram is meant for;
     * {@code relayPorts} and {@code receiverPorts} tell the relay's and the receivers' UDP sockets apart
     * (local ports), for the kernel's drop counts.
     */
    Result run(List<? extends Stream> streams, Selector receivers, PayloadLocator locator, double receptionsPerDatagram,
               LongSupplier relayIn, LongSupplier relayOut, IntPredicate relayPorts, IntPredicate receiverPorts, Window window)
            throws InterruptedException {
        long periodNanos = 1_000_000_000L / shape.packetRate();
        Thread receiver = new Thread(() -> receive(receivers, locator), "bench-media-receiver");
        Thread sender = new Thread(() -> send(streams, periodNanos), "bench-media-sender");
        receiver.start();
        sender.start();
        try {
            Scenarios.sleepSeconds(shape.warmupSeconds());
            window.opened();
            long relayDrops = UdpSockets.of(relayPorts).drops();
            long receiverDrops = UdpSockets.of(receiverPorts).drops();
            Mark start = mark(relayIn, relayOut);
            windowStart = start.nanos;
            delays.reset();
            Histogram interval = null;
            Histogram total = new Histogram(3_600_000_000L, 3);
            Mark last = start;
            for (int elapsed = 0; elapsed < shape.durationSeconds(); elapsed += shape.progressSeconds()) {
                Scenarios.sleepSeconds(Math.min(shape.progressSeconds(), shape.durationSeconds() - elapsed));
                interval = delays.getIntervalHistogram(interval);
                total.add(interval);
                Mark now = mark(relayIn, relayOut);
                double s = (now.nanos - last.nanos) / 1e9;
                System.out.printf(Locale.ROOT, "  [%3d s] %s in %s, out %s, received %s | delay p50 %s p99 %s max %s%n",
                        Math.min(elapsed + shape.progressSeconds(), shape.durationSeconds()), label,
                        Report.rate((now.in - last.in) / s), Report.rate((now.out - last.out) / s),
                        Report.rate((now.received - last.received) / s),
                        Report.ms(interval.getValueAtPercentile(50)), Report.ms(interval.getValueAtPercentile(99)),
                        Report.ms(interval.getMaxValue()));
                last = now;
            }
            Mark end = mark(relayIn, relayOut);
            windowEnd = end.nanos;
            window.closed();
            UdpSockets.Totals relayAtEnd = UdpSockets.of(relayPorts);
            UdpSockets.Totals receiversAtEnd = UdpSockets.of(receiverPorts);
            Scenarios.sleepSeconds(DRAIN_SECONDS);
            relayDrops = difference(relayDrops, UdpSockets.of(relayPorts).drops());
            receiverDrops = difference(receiverDrops, UdpSockets.of(receiverPorts).drops());
            double seconds = (end.nanos - start.nanos) / 1e9;
            long sentWithin = sentInWindow.sum();
            return new Result(shape, seconds, (end.in - start.in) / seconds, (end.out - start.out) / seconds, sentWithin,
                    end.refused - start.refused, receivedInWindow.sum(), sentWithin * receptionsPerDatagram, total, relayDrops, receiverDrops, relayAtEnd.queuedBytes(), receiversAtEnd.queuedBytes(), Double.NaN);
        } finally {
            running = false;
            sender.join(5000);
            receivers.wakeup();
            receiver.join(5000);
        }
    }

    private static long difference(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private record Mark(long nanos, long in, long out, long sent, long refused, long received) {
    }

    private Mark mark(LongSupplier relayIn, LongSupplier relayOut) {
        return new Mark(System.nanoTime(), relayIn.getAsLong(), relayOut.getAsLong(), sent.sum(), refused.sum(), received.sum());
    }

    private void send(List<? extends Stream> streams, long periodNanos) {
        ByteBuffer scratch = ByteBuffer.allocateDirect(MediaDatagrams.MAX_DATAGRAM + 64);
        long[] next = new long[streams.size()];
        long start = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            for (int i = 0; i < streams.size(); i++) {
                Stream stream = streams.get(i);
                // Open loop: every packet due by now goes, late ones at once.
                while (running && start + stream.phaseNanos() + next[i] * periodNanos <= now) {
                    next[i]++;
                    scratch.clear();
                    try {
                        stream.send((int) next[i], scratch, this);
                    } catch (IOException e) {
                        refused.increment();
                    }
                }
            }
            LockSupport.parkNanos(PARK_NANOS);
        }
    }

    private void receive(Selector selector, PayloadLocator locator) {
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
                        int offset = locator.payloadOffset(buffer);
                        if (offset >= 0 && buffer.position() >= offset + MIN_PAYLOAD) {
                            received.increment();
                            long stamp = buffer.getLong(offset + STAMP_OFFSET);
                            if (inWindow(stamp)) {
                                receivedInWindow.increment();
                            }
                            delays.recordValue(Math.max(0, (now - stamp) / 1000));
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

    /** CPU of this whole JVM (relay in process or not, plus the load generator), in nanoseconds. */
    static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
