package org.securecomm.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;

/**
 * Messages of the mix: routes from one sender device to one destination account with one or more
 * devices (one envelope per device in one SendEnvelopes, as the protocol requires); receiving
 * devices that may go offline and come back; batched acknowledgements; and the books that prove
 * every accepted message reached every device of its account exactly once.
 *
 * <p>Every content starts with the header of {@link Traffic} (due time, actual send time, route,
 * sequence number). A device remembers the sequence numbers it has seen and the envelope ids it has
 * not had acknowledged: a second push of such an id (after a reconnect) is a redelivery the
 * protocol allows and a client drops by id; a second push of an acknowledged one is a duplicate.
 */
final class MessageFlow {

    /** One sender and the devices of the account it sends to. */
    final class Route {
        final int index;
        final Accounts.Connected sender;
        final Device destination;
        final List<Receiver> receivers = new ArrayList<>();
        final AtomicLong sequence = new AtomicLong();
        /** The sender's outbox: due times of messages waiting for a free slot in its window (guarded by this route). */
        private final java.util.ArrayDeque<Long> outbox = new java.util.ArrayDeque<>();
        private int sending;
        /** Sequence numbers the relay accepted (guarded by itself). */
        private final BitSet accepted = new BitSet();

        Route(int index, Accounts.Connected sender, Device destination) {
            this.index = index;
            this.sender = sender;
            this.destination = destination;
        }
    }

    /** One receiving device: its connection comes and goes. */
    final class Receiver {
        final Route route;
        final Device device;
        private volatile BenchConnection connection;
        private volatile long onlineSinceNanos;
        private volatile boolean everOffline;
        // guarded by this
        private final BitSet seen = new BitSet();
        private final Set<ByteString> unacknowledged = new HashSet<>();
        private List<ByteString> ackBuffer = new ArrayList<>();
        private boolean ackInFlight;

        Receiver(Route route, Device device) {
            this.route = route;
            this.device = device;
        }

        boolean online() {
            BenchConnection c = connection;
            return c != null && c.isOpen();
        }

        /** Connects and authenticates; what arrives from then on counts as online delivery. */
        CompletableFuture<Receiver> connect(Accounts accounts) {
            long since = System.nanoTime();
            return accounts.connect(device, (c, push, at) -> onPush(this, c, push, at)).thenApply(c -> {
                onlineSinceNanos = since;
                connection = c;
                return this;
            });
        }

        /**
         * Closes the connection once no acknowledgement is pending (false: try again later), or at once
         * when {@code anyway}: what it has not acknowledged comes again on its next connection.
         */
        synchronized boolean disconnect(boolean anyway) {
            BenchConnection c = connection;
            if (c == null) {
                return true;
            }
            if (!anyway && (ackInFlight || !ackBuffer.isEmpty())) {
                return false;
            }
            connection = null;
            everOffline = true;
            c.startClose();
            return true;
        }

        /** Accepted messages of its route this device has not received yet. */
        int missing() {
            BitSet expected;
            synchronized (route.accepted) {
                expected = (BitSet) route.accepted.clone();
            }
            synchronized (this) {
                expected.andNot(seen);
            }
            return expected.cardinality();
        }

        synchronized boolean settled() {
            return !ackInFlight && ackBuffer.isEmpty() && unacknowledged.isEmpty();
        }
    }

    private final String name;
    private final List<Route> routes = new ArrayList<>();
    private final byte[] template;
    private final int ackBatch;
    private final ErrorCounter errors;
    private final AtomicInteger next = new AtomicInteger();
    private final int window;
    /** Messages sent and not yet answered, plus those waiting in the senders' outboxes. */
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();

    final LongAdder sent = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder envelopesAccepted = new LongAdder();
    final LongAdder sendFailed = new LongAdder();
    final LongAdder pushed = new LongAdder();
    final LongAdder acked = new LongAdder();
    /** Pushed to a device that came back online, sent while it was away. */
    final LongAdder fromMailbox = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder reconnects = new LongAdder();

    /** Due time to push, microseconds, for devices online when the message was due. */
    final Recorder endToEnd = new Recorder(3);
    /** Due time to EnvelopesAccepted (persisted), microseconds. */
    final Recorder accepting = new Recorder(3);
    /** Every online push, for the progress lines. */
    final Recorder progress = new Recorder(3);
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowUntil = Long.MAX_VALUE;

    /**
     * @param window sends one sender has awaiting the relay's answer; more messages wait in its outbox,
     *               as in the SDK, and their latency still counts from when they were due
     */
    MessageFlow(String name, int envelopeBytes, int ackBatch, int window, ErrorCounter errors) {
        this.name = name;
        this.window = window;
        this.template = new byte[envelopeBytes];
        new SecureRandom().nextBytes(template); // ciphertext looks random
        this.ackBatch = ackBatch;
        this.errors = errors;
    }

    String name() {
        return name;
    }

    List<Route> routes() {
        return routes;
    }

    List<Receiver> receivers() {
        return routes.stream().flatMap(r -> r.receivers.stream()).toList();
    }

    /**
     * Registers and connects {@code count} senders and as many destination accounts of {@code devices}
     * devices each, every device connected; answers the routes that could be set up.
     */
    int setUp(Accounts accounts, int count, int devices, int concurrency, ErrorCounter setupErrors) {
        List<Route> built = Accounts.runAll(name + ": registering and connecting " + count + " senders and " + count * devices
                + " receiving devices", count, concurrency, i -> accounts.registerConnected("s", null)
                .thenCombine(accounts.registerWithDevices("r", devices), (sender, recipients) -> {
                    Route route = new Route(i, sender, recipients.get(0));
                    recipients.forEach(d -> route.receivers.add(new Receiver(route, d)));
                    return route;
                }).thenCompose(route -> CompletableFuture.allOf(route.receivers.stream().map(r -> r.connect(accounts))
                        .toArray(CompletableFuture[]::new)).thenApply(ok -> route)), setupErrors);
        built.stream().filter(java.util.Objects::nonNull).forEach(routes::add);
        return routes.size();
    }

    /** Latency is recorded for messages due in [from, until). */
    void recordWindow(long fromNanos, long untilNanos) {
        windowFrom = fromNanos;
        windowUntil = untilNanos;
    }

    // ------------------------------------------------------------------ sending

    /** Sends the next message, round robin over the routes; {@code dueNanos} is when it should have gone. */
    void sendNext(long dueNanos) {
        if (!routes.isEmpty()) {
            send(routes.get(Math.floorMod(next.getAndIncrement(), routes.size())), dueNanos);
        }
    }

    private void send(Route route, long dueNanos) {
        inFlight.incrementAndGet();
        synchronized (route) {
            if (route.sending >= window) {
                route.outbox.add(dueNanos);
                queued.incrementAndGet();
                return;
            }
            route.sending++;
        }
        transmit(route, dueNanos);
    }

    private void transmit(Route route, long dueNanos) {
        long sequence = route.sequence.getAndIncrement();
        byte[] content = template.clone();
        ByteBuffer.wrap(content).putLong(dueNanos).putLong(System.nanoTime()).putInt(route.index).putLong(sequence);
        ByteString bytes = UnsafeByteOperations.unsafeWrap(content);
        SendEnvelopes.Builder envelopes = SendEnvelopes.newBuilder()
                .setDestination(route.destination.address())
                .setClientTimestamp(System.currentTimeMillis());
        for (Receiver receiver : route.receivers) {
            envelopes.addEnvelopes(OutgoingEnvelope.newBuilder().setDeviceId(receiver.device.deviceId())
                    .setRegistrationId(receiver.device.registrationId()).setType(EnvelopeType.OPAQUE).setContent(bytes));
        }
        sent.increment();
        route.sender.connection().request(ClientMessage.newBuilder().setSendEnvelopes(envelopes))
                .whenComplete((response, failure) -> onSendResult(route, sequence, dueNanos, response, failure));
    }

    private void onSendResult(Route route, long sequence, long dueNanos, Response response, Throwable failure) {
        if (failure != null) {
            sendFailed.increment();
            errors.count(failure);
        } else if (response.hasError()) {
            sendFailed.increment();
            errors.count(response.getError().getCode().name());
        } else {
            synchronized (route.accepted) {
                route.accepted.set((int) sequence);
            }
            accepted.increment();
            envelopesAccepted.add(route.receivers.size());
            if (dueNanos >= windowFrom && dueNanos < windowUntil) {
                accepting.recordValue(Math.max(0, (System.nanoTime() - dueNanos) / 1000));
            }
        }
        inFlight.decrementAndGet();
        Long next;
        synchronized (route) {
            next = route.outbox.poll();
            if (next == null) {
                route.sending--;
            }
        }
        if (next != null) {
            queued.decrementAndGet();
            transmit(route, next);
        }
    }

    // ------------------------------------------------------------------ receiving

    private void onPush(Receiver receiver, BenchConnection connection, Push push, long receivedNanos) {
        if (!push.hasEnvelope()) {
            return;
        }
        Envelope envelope = push.getEnvelope();
        ByteBuffer content = envelope.getContent().asReadOnlyByteBuffer();
        if (content.remaining() < Traffic.HEADER_BYTES || content.getInt(16) != receiver.route.index) {
            return; // not ours
        }
        long due = content.getLong(0);
        int sequence = (int) content.getLong(20);
        ByteString id = envelope.getId();
        boolean first;
        boolean redelivery = false;
        List<ByteString> batch = null;
        synchronized (receiver) {
            first = !receiver.seen.get(sequence);
            if (first) {
                receiver.seen.set(sequence);
            } else {
                redelivery = receiver.unacknowledged.contains(id);
            }
            receiver.unacknowledged.add(id);
            receiver.ackBuffer.add(id);
            if (!receiver.ackInFlight) {
                batch = takeBatch(receiver);
            }
        }
        if (first) {
            pushed.increment();
            if (due < receiver.onlineSinceNanos && receiver.everOffline) {
                fromMailbox.increment();
            } else {
                long micros = Math.max(0, (receivedNanos - due) / 1000);
                progress.recordValue(micros);
                if (due >= windowFrom && due < windowUntil) {
                    endToEnd.recordValue(micros);
                }
            }
        } else if (redelivery) {
            redelivered.increment();
        } else {
            duplicates.increment();
        }
        if (batch != null) {
            acknowledge(receiver, connection, batch);
        }
    }

    private List<ByteString> takeBatch(Receiver receiver) {
        List<ByteString> batch;
        if (receiver.ackBuffer.size() <= ackBatch) {
            batch = receiver.ackBuffer;
            receiver.ackBuffer = new ArrayList<>();
        } else {
            List<ByteString> head = receiver.ackBuffer.subList(0, ackBatch);
            batch = new ArrayList<>(head);
            head.clear();
        }
        receiver.ackInFlight = true;
        return batch;
    }

    /** One acknowledgement in flight per device; what arrives meanwhile goes in the next. */
    private void acknowledge(Receiver receiver, BenchConnection connection, List<ByteString> batch) {
        connection.request(ClientMessage.newBuilder().setAcknowledgeEnvelopes(AcknowledgeEnvelopes.newBuilder().addAllEnvelopeIds(batch)))
                .whenComplete((response, failure) -> {
                    boolean ok = failure == null && !response.hasError();
                    boolean replaced = receiver.connection != connection; // went offline on purpose: the relay redelivers
                    if (ok) {
                        acked.add(batch.size());
                    } else if (!replaced) {
                        if (failure != null) {
                            errors.count(failure);
                        } else {
                            errors.count(response.getError().getCode().name());
                        }
                    }
                    List<ByteString> following = null;
                    synchronized (receiver) {
                        receiver.ackInFlight = false;
                        if (ok) {
                            batch.forEach(receiver.unacknowledged::remove);
                        } else if (!replaced && connection.isOpen()) {
                            receiver.ackBuffer.addAll(0, batch);
                        }
                        if (replaced || !connection.isOpen()) {
                            receiver.ackBuffer.clear(); // still unacknowledged: they come again on the next connection
                        } else if (!receiver.ackBuffer.isEmpty()) {
                            following = takeBatch(receiver);
                        }
                    }
                    if (following != null) {
                        acknowledge(receiver, connection, following);
                    }
                });
    }

    // ------------------------------------------------------------------ the books

    /** Counters at one instant. */
    record Counters(long nanos, long sent, long accepted, long sendFailed, long pushed, long acked) {
        double seconds(Counters later) {
            return (later.nanos - nanos) / 1e9;
        }
    }

    Counters counters() {
        return new Counters(System.nanoTime(), sent.sum(), accepted.sum(), sendFailed.sum(), pushed.sum(), acked.sum());
    }

    long inFlight() {
        return inFlight.get();
    }

    /** Empties the senders' outboxes: those messages are never sent (the end of the warm-up). */
    long dropQueued() {
        long total = 0;
        for (Route route : routes) {
            int dropped;
            synchronized (route) {
                dropped = route.outbox.size();
                route.outbox.clear();
            }
            queued.addAndGet(-dropped);
            inFlight.addAndGet(-dropped);
            total += dropped;
        }
        return total;
    }

    /** Messages waiting in the senders' outboxes (the relay answers slower than they are due). */
    long queued() {
        return queued.get();
    }

    /** Envelopes accepted but not yet received by their device, over all devices. */
    long missing() {
        return receivers().stream().mapToLong(Receiver::missing).sum();
    }

    /** Waits until no send is in flight and every accepted envelope was received and acknowledged; answers what is missing. */
    long awaitDrained(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long missing = Long.MAX_VALUE;
        while (System.nanoTime() < deadline) {
            missing = missing();
            if (inFlight() == 0 && missing == 0 && receivers().stream().allMatch(Receiver::settled)) {
                return 0;
            }
            Scenarios.sleepSeconds(0.1);
        }
        return missing;
    }

    /** Received although the send failed (a timeout or a lost connection after the relay had stored it). */
    long deliveredDespiteFailure() {
        long extra = 0;
        for (Route route : routes) {
            BitSet accepted;
            synchronized (route.accepted) {
                accepted = (BitSet) route.accepted.clone();
            }
            for (Receiver receiver : route.receivers) {
                BitSet seen;
                synchronized (receiver) {
                    seen = (BitSet) receiver.seen.clone();
                }
                seen.andNot(accepted);
                extra += seen.cardinality();
            }
        }
        return extra;
    }

    /** Counts a reconnect (the caller opened the new connection). */
    void reconnected() {
        reconnects.increment();
    }
}
