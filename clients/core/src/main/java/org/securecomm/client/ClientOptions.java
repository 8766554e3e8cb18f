package org.securecomm.client;

import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.securecomm.client.account.PreKeys;
import org.securecomm.client.crypto.PassphraseKdf;

/**
 * Tunables of a client. {@code kdfMemoryKib}/{@code kdfIterations} apply when a profile is
 * created (an existing profile keeps its own parameters); {@code tls} null means the JVM's trust
 * store. {@code reconnectMin}..{@code reconnectMax} bound the backoff between reconnect attempts
 * (and between resends of a message); {@code sendDeadline} is how long a send keeps retrying a
 * transport failure before it returns with the message still pending (the outbox resends it on
 * the next connection); {@code randomFirstEndpoint} false starts on the first relay URL of the
 * list instead of a random one (tests that need to know which node a device uses).
 */
public record ClientOptions(Clock clock, Duration timeout, Duration preKeyRotation, int kdfMemoryKib, int kdfIterations,
                            SSLContext tls, Duration reconnectMin, Duration reconnectMax, Duration sendDeadline,
                            boolean randomFirstEndpoint) {

    public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofMillis(500);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SEND_DEADLINE = Duration.ofSeconds(60);

    /** The options of earlier releases, with the default reconnect and resend settings. */
    public ClientOptions(Clock clock, Duration timeout, Duration preKeyRotation, int kdfMemoryKib, int kdfIterations, SSLContext tls) {
        this(clock, timeout, preKeyRotation, kdfMemoryKib, kdfIterations, tls, DEFAULT_RECONNECT_MIN, DEFAULT_RECONNECT_MAX,
                DEFAULT_SEND_DEADLINE, true);
    }

    public static ClientOptions defaults() {
        return new ClientOptions(Clock.systemUTC(), Duration.ofSeconds(20), PreKeys.DEFAULT_ROTATION,
                PassphraseKdf.DEFAULT_MEMORY_KIB, PassphraseKdf.DEFAULT_ITERATIONS, null);
    }

    public ClientOptions withClock(Clock newClock) {
        return new ClientOptions(newClock, timeout, preKeyRotation, kdfMemoryKib, kdfIterations, tls, reconnectMin, reconnectMax,
                sendDeadline, randomFirstEndpoint);
    }

    public ClientOptions withKdf(int memoryKib, int iterations) {
        return new ClientOptions(clock, timeout, preKeyRotation, memoryKib, iterations, tls, reconnectMin, reconnectMax,
                sendDeadline, randomFirstEndpoint);
    }

    public ClientOptions withTimeout(Duration newTimeout) {
        return new ClientOptions(clock, newTimeout, preKeyRotation, kdfMemoryKib, kdfIterations, tls, reconnectMin, reconnectMax,
                sendDeadline, randomFirstEndpoint);
    }

    public ClientOptions withReconnectBackoff(Duration min, Duration max) {
        return new ClientOptions(clock, timeout, preKeyRotation, kdfMemoryKib, kdfIterations, tls, min, max, sendDeadline,
                randomFirstEndpoint);
    }

    public ClientOptions withSendDeadline(Duration deadline) {
        return new ClientOptions(clock, timeout, preKeyRotation, kdfMemoryKib, kdfIterations, tls, reconnectMin, reconnectMax,
                deadline, randomFirstEndpoint);
    }

    public ClientOptions withRandomFirstEndpoint(boolean random) {
        return new ClientOptions(clock, timeout, preKeyRotation, kdfMemoryKib, kdfIterations, tls, reconnectMin, reconnectMax,
                sendDeadline, random);
    }
}
