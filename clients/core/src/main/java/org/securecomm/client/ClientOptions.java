package org.securecomm.client;

import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.securecomm.client.account.PreKeys;
import org.securecomm.client.crypto.PassphraseKdf;

/**
 * Tunables of a client. {@code kdfMemoryKib}/{@code kdfIterations} apply when a profile is
 * created (an existing profile keeps its own parameters); {@code tls} null means the JVM's trust
 * store.
 */
public record ClientOptions(Clock clock, Duration timeout, Duration preKeyRotation, int kdfMemoryKib, int kdfIterations,
                            SSLContext tls) {

    public static ClientOptions defaults() {
        return new ClientOptions(Clock.systemUTC(), Duration.ofSeconds(20), PreKeys.DEFAULT_ROTATION,
                PassphraseKdf.DEFAULT_MEMORY_KIB, PassphraseKdf.DEFAULT_ITERATIONS, null);
    }

    public ClientOptions withClock(Clock newClock) {
        return new ClientOptions(newClock, timeout, preKeyRotation, kdfMemoryKib, kdfIterations, tls);
    }

    public ClientOptions withKdf(int memoryKib, int iterations) {
        return new ClientOptions(clock, timeout, preKeyRotation, memoryKib, iterations, tls);
    }
}
