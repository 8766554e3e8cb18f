package org.securecomm.relay.support;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.client.transport.RelayException;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.SendEnvelopes;

/**
 * A device that stays online across node failures, as a client with a list of relay endpoints
 * would: when its WebSocket drops it connects to the next node and authenticates again; every
 * pushed envelope is recorded (by envelope id, with the number of times it was pushed) and
 * acknowledged; a send that got no answer is retried with the same message_id, so the relay
 * stores it once. Only sends the relay answered with EnvelopesAccepted count as acknowledged.
 */
public final class ReconnectingDevice implements AutoCloseable {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Set<ErrorCode> TRANSIENT = Set.of(ErrorCode.INTERNAL_ERROR, ErrorCode.UNAVAILABLE, ErrorCode.RATE_LIMITED);

    public final String accountId;
    public final String address;
    public final int deviceId;
    private final String password;
    private final List<String> urls;
    private final Map<UUID, String> received = new ConcurrentHashMap<>();
    private final Map<UUID, Integer> pushCounts = new ConcurrentHashMap<>();
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong sendRetries = new AtomicLong();
    private final Thread supervisor;
    private volatile BiConsumer<ReconnectingDevice, Envelope> onEnvelope = (device, envelope) -> { };
    private volatile RelayConnection connection;
    private volatile int urlIndex;
    private volatile boolean closed;

    private ReconnectingDevice(String accountId, String address, int deviceId, String password, List<String> urls, int firstUrl) {
        this.accountId = accountId;
        this.address = address;
        this.deviceId = deviceId;
        this.password = password;
        this.urls = List.copyOf(urls);
        this.urlIndex = firstUrl % urls.size();
        this.supervisor = new Thread(this::superviseConnection, "device-" + address + "." + deviceId);
        this.supervisor.setDaemon(true);
    }

    /** The same device (its credentials) as {@code device}, which is closed; connects to {@code urls[first]} first. */
    public static ReconnectingDevice of(TestDevice device, List<String> urls, int first) {
        device.close();
        ReconnectingDevice reconnecting = new ReconnectingDevice(device.accountId, device.address, device.deviceId, device.password,
                urls, first);
        reconnecting.supervisor.start();
        return reconnecting;
    }

    /** Called on the WebSocket thread for every pushed envelope, first time or not. */
    public void onEnvelope(BiConsumer<ReconnectingDevice, Envelope> listener) {
        this.onEnvelope = listener;
    }

    private void superviseConnection() {
        long backoffMillis = 100;
        while (!closed) {
            RelayConnection current = connection;
            if (current != null && current.isOpen()) {
                try {
                    current.closed().get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    continue;
                } catch (InterruptedException e) {
                    return;
                } catch (ExecutionException e) {
                    // closed with an error: reconnect below
                }
                connection = null;
                urlIndex = (urlIndex + 1) % urls.size();
                continue;
            }
            String url = urls.get(urlIndex);
            RelayConnection opened = null;
            try {
                RelayConnection[] self = new RelayConnection[1];
                opened = RelayConnection.connect(URI.create(url), null, push -> onPush(self[0], push), REQUEST_TIMEOUT);
                self[0] = opened;
                opened.call(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                        .setAccountId(accountId).setDeviceId(deviceId).setPassword(password))).get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                connections.incrementAndGet();
                connection = opened;
                backoffMillis = 100;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (opened != null) {
                    opened.abort();
                }
                urlIndex = (urlIndex + 1) % urls.size();
                sleep(backoffMillis);
                backoffMillis = Math.min(2000, backoffMillis * 2);
            }
        }
    }

    private void onPush(RelayConnection from, Push push) {
        if (!push.hasEnvelope()) {
            return;
        }
        Envelope envelope = push.getEnvelope();
        UUID id = EnvelopeIds.fromBytes(envelope.getId());
        pushes.incrementAndGet();
        pushCounts.merge(id, 1, Integer::sum);
        received.putIfAbsent(id, envelope.getContent().toStringUtf8());
        onEnvelope.accept(this, envelope);
        // Acknowledged on the connection it came on; a lost ack means a redelivery, which the counts show.
        from.request(ClientMessage.newBuilder().setAcknowledgeEnvelopes(AcknowledgeEnvelopes.newBuilder().addEnvelopeIds(envelope.getId())));
    }

    /**
     * Sends one envelope per device of {@code destination} with this {@code messageId}, retrying
     * (same id) after transport failures, timeouts and transient errors until {@code deadline}.
     * Answers the accepted envelope ids in device order; throws when it gave up (not acknowledged).
     */
    public List<UUID> send(String destination, List<Integer> devices, String content, byte[] messageId, Duration deadline) {
        SendEnvelopes.Builder send = SendEnvelopes.newBuilder().setDestination(destination).setClientTimestamp(System.currentTimeMillis())
                .setMessageId(ByteString.copyFrom(messageId));
        for (int device : devices) {
            send.addEnvelopes(OutgoingEnvelope.newBuilder().setDeviceId(device).setType(EnvelopeType.OPAQUE)
                    .setContent(ByteString.copyFromUtf8(content)));
        }
        SendEnvelopes request = send.build();
        long end = System.nanoTime() + deadline.toNanos();
        boolean first = true;
        while (System.nanoTime() < end && !closed) {
            if (!first) {
                sendRetries.incrementAndGet();
            }
            first = false;
            RelayConnection current = connection;
            if (current == null || !current.isOpen()) {
                sleep(100);
                continue;
            }
            try {
                var accepted = current.call(ClientMessage.newBuilder().setSendEnvelopes(request)).get(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS).getEnvelopesAccepted();
                List<UUID> ids = new ArrayList<>();
                accepted.getEnvelopeIdsList().forEach(id -> ids.add(EnvelopeIds.fromBytes(id)));
                return ids;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException | CompletionException | TimeoutException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RelayException relay && !TRANSIENT.contains(relay.code())) {
                    throw relay;
                }
                sleep(200);
            }
        }
        throw new IllegalStateException("send not acknowledged within " + deadline);
    }

    /** Drops the connection as a network failure would; the device reconnects to the next node. */
    public void dropConnection() {
        RelayConnection current = connection;
        if (current != null) {
            current.abort();
        }
    }

    public boolean isConnected() {
        RelayConnection current = connection;
        return current != null && current.isOpen();
    }

    /** The URL this device is connected to (or will try next). */
    public String currentUrl() {
        return urls.get(urlIndex);
    }

    /** Envelope id to content, one entry per distinct envelope received. */
    public Map<UUID, String> received() {
        return Map.copyOf(received);
    }

    /** How often each envelope id was pushed (above 1: a redelivery of an unacknowledged envelope). */
    public Map<UUID, Integer> pushCounts() {
        return Map.copyOf(pushCounts);
    }

    /** How often envelope {@code id} was pushed so far. */
    public int pushCount(UUID id) {
        return pushCounts.getOrDefault(id, 0);
    }

    public long pushes() {
        return pushes.get();
    }

    /** Successful (authenticated) connections so far: 1 plus the reconnections. */
    public long connections() {
        return connections.get();
    }

    public long sendRetries() {
        return sendRetries.get();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        supervisor.interrupt();
        RelayConnection current = connection;
        if (current != null) {
            current.abort();
        }
    }
}
