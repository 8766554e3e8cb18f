package org.securecomm.client.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.securecomm.client.store.Outbox;
import org.securecomm.client.transport.Backoff;
import org.securecomm.client.transport.Relay;
import org.securecomm.client.transport.RelayException;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;

/**
 * Delivers encrypted SendEnvelopes requests through the {@link Outbox}: the request is stored
 * before it goes out, and leaves the outbox only with a definite answer (accepted, or refused with
 * a code that a retry would not change). A transport failure (the node died before answering, a
 * drained node closed the socket, a timeout) or a relay error that asks for a retry is retried
 * with the same bytes after a backoff (the {@link Relay} reconnects, to another node if need
 * be) until the deadline; then the request stays pending for {@link #flush}.
 */
public final class ReliableSend {

    /** Waits between attempts (tests pass one that advances a fake clock). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** What a flush did with one pending request that the relay refused. */
    @FunctionalInterface
    public interface Refusals {
        void refused(Outbox.Entry entry, RelayException refusal);
    }

    private static final System.Logger LOG = System.getLogger(ReliableSend.class.getName());

    private final Outbox outbox;
    private final Relay relay;
    private final Clock clock;
    private final Duration deadline;
    private final Supplier<Backoff> backoffs;
    private final Sleeper sleeper;

    public ReliableSend(Outbox outbox, Relay relay, Clock clock, Duration deadline, Supplier<Backoff> backoffs, Sleeper sleeper) {
        this.outbox = outbox;
        this.relay = relay;
        this.clock = clock;
        this.deadline = deadline;
        this.backoffs = backoffs;
        this.sleeper = sleeper;
    }

    /**
     * Stores and sends {@code request} under {@code id}; answers the relay's acceptance.
     *
     * @throws RelayException on a definite refusal (the request left the outbox)
     * @throws SendPendingException when the deadline passed without an answer (the request stays)
     */
    public Response send(byte[] id, String destination, SendEnvelopes request) {
        byte[] bytes = request.toByteArray();
        outbox.put(id, destination, bytes, clock.millis());
        long giveUpAt = clock.millis() + deadline.toMillis();
        Backoff backoff = backoffs.get();
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure;
            try {
                return answered(id, attempt(bytes));
            } catch (RelayException e) {
                if (!retryable(e.code())) {
                    outbox.remove(id);
                    throw e;
                }
                failure = e;
            } catch (RuntimeException e) {
                failure = e;
            }
            Duration wait = backoff.next();
            if (clock.millis() + wait.toMillis() > giveUpAt) {
                throw new SendPendingException("the relay did not answer a send after " + attempt + " attempt(s): " + failure.getMessage()
                        + "; it stays in the outbox and is resent on the next connection", failure);
            }
            LOG.log(System.Logger.Level.INFO, "a send failed (" + failure.getMessage() + "): trying again in " + wait.toMillis() + " ms");
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SendPendingException("interrupted while resending", e);
            }
        }
    }

    /**
     * Resends every pending request once, oldest first, stopping at the first transport failure
     * (the next connection flushes again). Answers how many were accepted.
     */
    public int flush(Refusals refusals) {
        int accepted = 0;
        for (Outbox.Entry entry : outbox.all()) {
            try {
                answered(entry.id(), attempt(entry.request()));
                accepted++;
            } catch (RelayException e) {
                if (retryable(e.code())) {
                    return accepted;
                }
                outbox.remove(entry.id());
                refusals.refused(entry, e);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "pending sends wait for the next connection: " + e.getMessage());
                return accepted;
            }
        }
        return accepted;
    }

    public boolean pending(byte[] id) {
        return outbox.contains(id);
    }

    public boolean anyPending() {
        return !outbox.isEmpty();
    }

    private Response attempt(byte[] bytes) {
        try {
            return relay.call(ClientMessage.newBuilder().setSendEnvelopes(SendEnvelopes.parseFrom(bytes)));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("an outbox entry is not a send request", e);
        }
    }

    private Response answered(byte[] id, Response response) {
        outbox.remove(id);
        return response;
    }

    /** Codes with which the relay asks to try again (later, or on another node); any other code is definite. */
    static boolean retryable(ErrorCode code) {
        return code == ErrorCode.INTERNAL_ERROR || code == ErrorCode.UNAVAILABLE || code == ErrorCode.RATE_LIMITED
                || code == ErrorCode.NOT_AUTHENTICATED;
    }
}
