package org.securecomm.bench;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.securecomm.protocol.client.v1.ServerMessage;

/**
 * The SecureComm side of the messaging comparison against ejabberd, the same workload as
 * {@code XmppMessaging}: P senders send M envelopes each (up to {@code window} unanswered), the
 * relay's {@code EnvelopesAccepted} (sent once the envelope is in Cassandra) is "accepted". Offline:
 * the recipients disconnected after registering; afterwards they reconnect and receive everything,
 * acknowledging in batches. Online: recipients stay connected (the relay persists anyway).
 */
final class SecureCommMessaging {

    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long PHASE_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);
    private static final Set<String> SERVER = Set.of("relay node", "Cassandra");

    private final RelayBenchmark options;
    private final NodeInfo node;
    private final int pairs;
    private final int messages;
    private final int size;
    private final int window;
    private volatile Traffic sending;

    SecureCommMessaging(RelayBenchmark options, NodeInfo node, int pairs, int messages, int size, int window) {
        this.options = options;
        this.node = node;
        this.pairs = pairs;
        this.messages = messages;
        this.size = size;
        this.window = window;
    }

    MessagingFigures run(boolean online) {
        ErrorCounter errors = new ErrorCounter();
        ErrorCounter setupErrors = new ErrorCounter();
        try (ClientPool pool = new ClientPool(Math.max(1, Math.min(4, pairs / 25 + 1)), options.ioThreads,
                Duration.ofSeconds(options.requestTimeoutSeconds))) {
            Accounts accounts = new Accounts(node.url(), pool, options);
            sending = new Traffic(size, options.ackBatch, errors, pool.scheduler());
            sending.recordWindow(Long.MIN_VALUE, Long.MAX_VALUE); // every send's acceptance latency
            if (online) {
                Scenarios.connectPairs(options, accounts, sending, pairs, setupErrors);
            } else {
                registerOffline(accounts, setupErrors);
            }
            if (sending.pairs().size() < pairs) {
                throw new IllegalStateException("only " + sending.pairs().size() + " of " + pairs + " pairs could be set up: "
                        + setupErrors.describe());
            }
            long total = (long) pairs * messages;
            System.out.printf("  SecureComm %s: %d senders x %d envelopes%s%n", online ? "online" : "offline", pairs, messages,
                    online ? " to connected recipients" : " to recipients who are not connected");
            CpuWindow storeCpu = CpuWindow.start(node.cpuProcesses(), SERVER);
            long start = System.nanoTime();
            sending.onProgress(this::pump);
            sending.pairs().forEach(this::pump);
            long storeEnd = online ? awaitCount(() -> sending.acked.sum(), total)
                    : awaitCount(() -> sending.accepted.sum() + sending.sendFailed.sum(), total);
            CpuWindow.Usage storeUsage = storeCpu.stop();
            double storeSeconds = (storeEnd - start) / 1e9;
            long accepted = sending.accepted.sum();
            if (online) {
                return figures(true, accepted, storeSeconds, storeUsage, sending, storeSeconds, null, errors, setupErrors);
            }
            System.out.printf("  SecureComm: %,d accepted (in Cassandra); recipients connect...%n", accepted);
            Traffic receiving = new Traffic(size, options.ackBatch, errors, pool.scheduler());
            // the drain counts from the recipients' first connection attempt, as for XMPP (TCP, stream, SASL, bind)
            CpuWindow drainCpu = CpuWindow.start(node.cpuProcesses(), SERVER);
            long drainStart = System.nanoTime();
            List<BenchConnection> opened = Accounts.runAll("opening " + pairs + " recipient connections", pairs,
                    options.setupConcurrency, i -> accounts.open(null), setupErrors);
            for (int i = 0; i < pairs; i++) {
                Traffic.Pair p = sending.pairs().get(i);
                BenchConnection in = Objects.requireNonNull(opened.get(i), "a recipient could not connect");
                in.setPushListener(receiving::onPush); // pushes start only once it authenticates, below
                receiving.addPair(new Accounts.Connected(p.sender, p.out), new Accounts.Connected(p.recipient, in));
            }
            Accounts.runAll("authenticating " + pairs + " recipients", pairs, options.setupConcurrency, i -> {
                Device d = receiving.pairs().get(i).recipient;
                return receiving.pairs().get(i).in.call(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                        .setAccountId(d.accountId()).setDeviceId(d.deviceId()).setPassword(d.password())));
            }, setupErrors);
            long drainEnd = awaitCount(() -> Math.min(receiving.pushed.sum(), receiving.acked.sum()), accepted);
            CpuWindow.Usage drainUsage = drainCpu.stop();
            return figures(false, accepted, storeSeconds, storeUsage, receiving, (drainEnd - drainStart) / 1e9, drainUsage, errors,
                    setupErrors);
        }
    }

    /**
     * Registers the pairs, retrying failed registrations twice (a cold node may answer UNAVAILABLE):
     * the workload must be the same as ejabberd's. The recipients' connections are closed again, so
     * they are offline when the senders send.
     */
    private void registerOffline(Accounts accounts, ErrorCounter setupErrors) {
        List<Accounts.Connected> devices = new ArrayList<>(java.util.Collections.nCopies(2 * pairs, null));
        for (int attempt = 1; attempt <= 3 && devices.contains(null); attempt++) {
            List<Integer> missing = java.util.stream.IntStream.range(0, devices.size()).filter(i -> devices.get(i) == null).boxed().toList();
            List<Accounts.Connected> got = Accounts.runAll("registering " + missing.size() + " devices" + (attempt > 1 ? " again" : ""),
                    missing.size(), options.setupConcurrency,
                    i -> accounts.registerConnected(missing.get(i) % 2 == 0 ? "s" : "r", null), setupErrors);
            for (int i = 0; i < missing.size(); i++) {
                devices.set(missing.get(i), got.get(i));
            }
        }
        List<BenchConnection> closing = new ArrayList<>();
        for (int i = 0; i + 1 < devices.size(); i += 2) {
            if (devices.get(i) != null && devices.get(i + 1) != null) {
                sending.addPair(devices.get(i), devices.get(i + 1));
                closing.add(devices.get(i + 1).connection());
                devices.get(i + 1).connection().startClose();
            }
        }
        for (BenchConnection c : closing) {
            c.closed().completeOnTimeout(-1, 10, TimeUnit.SECONDS).join();
        }
        Scenarios.sleepSeconds(1); // the relay notices the closes (its mailboxes stop pushing)
    }

    private void pump(Traffic.Pair pair) {
        synchronized (pair) {
            if (System.nanoTime() < pair.pausedUntil) {
                return; // a timer wakes it up
            }
            while (pair.out.isOpen() && pair.inFlight.get() < window && pair.sequence.get() < messages) {
                sending.send(pair, System.nanoTime());
            }
        }
    }

    /** Waits until {@code counter} reaches {@code target} (or stalls for 30 s); answers when it last moved. */
    private static long awaitCount(java.util.function.LongSupplier counter, long target) {
        long start = System.nanoTime();
        long lastValue = -1;
        long lastMoved = start;
        while (true) {
            long value = counter.getAsLong();
            long now = System.nanoTime();
            if (value != lastValue) {
                lastValue = value;
                lastMoved = now;
            }
            if (value >= target || now - lastMoved > STALL_NANOS || now - start > PHASE_TIMEOUT_NANOS) {
                return lastMoved;
            }
            Scenarios.sleepSeconds(0.005);
        }
    }

    private MessagingFigures figures(boolean online, long accepted, double storeSeconds, CpuWindow.Usage storeUsage, Traffic delivered,
                                     double drainSeconds, CpuWindow.Usage drainUsage, ErrorCounter errors, ErrorCounter setupErrors) {
        return new MessagingFigures("securecomm", online, pairs, sending.sent.sum(), accepted, storeSeconds,
                sending.acceptance.getIntervalHistogram(), storeUsage, online ? 0 : accepted, delivered.pushed.sum(),
                delivered.duplicates.sum(), drainSeconds, drainUsage, bytesUp(), bytesDown(),
                "sending/receiving " + errors.describe() + "; setup " + setupErrors.describe());
    }

    /** A SendEnvelopes request as the load generator sends it, in a masked client WebSocket frame. */
    private int bytesUp() {
        Traffic.Pair p = sending.pairs().get(0);
        int payload = ClientMessage.newBuilder().setRequestId(1_000_000).setSendEnvelopes(SendEnvelopes.newBuilder()
                .setDestination(p.recipient.address()).setClientTimestamp(System.currentTimeMillis())
                .addEnvelopes(OutgoingEnvelope.newBuilder().setDeviceId(p.recipient.deviceId())
                        .setRegistrationId(p.recipient.registrationId()).setType(EnvelopeType.OPAQUE)
                        .setContent(ByteString.copyFrom(new byte[size])))).build().getSerializedSize();
        return payload + webSocketHeader(payload) + 4; // + the client's mask
    }

    /** The Envelope push the recipient gets (16-byte id, the sender's address), in a server WebSocket frame. */
    private int bytesDown() {
        Traffic.Pair p = sending.pairs().get(0);
        int payload = ServerMessage.newBuilder().setPush(Push.newBuilder().setEnvelope(Envelope.newBuilder()
                .setId(ByteString.copyFrom(new byte[16])).setSourceAddress(p.sender.address()).setSourceDevice(p.sender.deviceId())
                .setType(EnvelopeType.OPAQUE).setClientTimestamp(System.currentTimeMillis())
                .setServerTimestamp(System.currentTimeMillis()).setContent(ByteString.copyFrom(new byte[size])))).build()
                .getSerializedSize();
        return payload + webSocketHeader(payload);
    }

    private static int webSocketHeader(int payload) {
        return payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
    }
}
