package org.securecomm.client.call.transport;

import java.util.function.Consumer;

/**
 * How one device's call media leaves and arrives: through the relay's media forwarder, or on a
 * direct (or TURN-relayed) ICE path to the one other participant of a 1:1 call. Carries end-to-end
 * payloads ({@code MediaDatagrams} payload format: source id, kind, seq, SFrame ciphertext) and
 * never looks inside them.
 */
public interface MediaTransport extends AutoCloseable {

    /** Sends one payload to the other participant(s); never blocks for long, drops when it must. */
    void send(byte[] payload);

    /** Where received payloads go (called on the transport's receiving thread, one at a time). */
    void onReceive(Consumer<byte[]> receiver);

    /** For humans and logs: e.g. "forwarder 127.0.0.1:40123", "ice direct host", "ice relay (TURN)". */
    String describe();

    /** Payloads sent and received, and datagrams dropped as malformed, since the start. */
    Stats stats();

    @Override
    void close();

    record Stats(long sent, long received, long dropped) {
    }
}
