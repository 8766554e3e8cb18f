package org.securecomm.client.call.transport;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.securecomm.protocol.MediaDatagrams;

/**
 * The receiving half every transport shares: unwraps FORWARDED_MEDIA datagrams (0x02 | payload) to
 * the consumer, keeps the counters of {@link MediaTransport#stats()} and the receive thread's life.
 */
final class Inbound {

    /** The smallest datagram with an end-to-end payload: type byte + the payload header. */
    static final int MIN_FORWARDED = 1 + MediaDatagrams.PAYLOAD_HEADER;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Consumer<byte[]> receiver = payload -> {
    };

    void receiver(Consumer<byte[]> newReceiver) {
        receiver = Objects.requireNonNull(newReceiver, "receiver");
    }

    /**
     * Hands the payload of a FORWARDED_MEDIA datagram to the receiver. Returns false, counting
     * nothing, for any other type so the caller can handle its own; a FORWARDED_MEDIA too short to
     * hold a payload header counts as dropped.
     */
    boolean deliverForwarded(byte[] data, int offset, int length) {
        if (length < 1 || data[offset] != MediaDatagrams.FORWARDED_MEDIA) {
            return false;
        }
        if (length < MIN_FORWARDED) {
            dropped();
            return true;
        }
        received.incrementAndGet();
        receiver.accept(Arrays.copyOfRange(data, offset + 1, offset + length));
        return true;
    }

    void sent() {
        sent.incrementAndGet();
    }

    void dropped() {
        dropped.incrementAndGet();
    }

    MediaTransport.Stats stats() {
        return new MediaTransport.Stats(sent.get(), received.get(), dropped.get());
    }

    /** Receive threads are daemons: a transport left open must not keep the JVM alive. */
    static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Waits for a receive thread to end once its socket is closed; not from that thread itself (a
     * receiver that closes its transport).
     */
    static void awaitEnd(Thread receiveThread, Duration timeout) {
        if (Thread.currentThread() == receiveThread) {
            return;
        }
        try {
            receiveThread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
