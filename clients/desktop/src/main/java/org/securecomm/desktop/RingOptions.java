package org.securecomm.desktop;

import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Which ring `answer` and `decline` wait for, and how long. */
final class RingOptions {

    @Parameters(arity = "0..1", paramLabel = "CALL_ID", description = "only this call (default: the first that rings)")
    String callId;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "120", description = "how long to wait for a ring (default 120)")
    int waitSeconds;

    Duration timeout() {
        return Duration.ofSeconds(waitSeconds);
    }
}
