package org.securecomm.desktop;

import java.time.Duration;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallManager;

/** Waiting for a ring, for `answer` and `decline`. */
final class Ringing {

    private Ringing() {
    }

    /** The first call ringing on this device (or {@code callId}), waiting up to {@code timeout}. */
    static CallManager.Incoming await(SecureCommClient client, CallSession session, String callId, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        session.waiting(timeout);
        while (System.nanoTime() < deadline) {
            for (CallManager.Incoming incoming : client.calls().ringing()) {
                if (callId == null || incoming.callId().equals(callId)) {
                    return incoming;
                }
            }
            session.next(null, Duration.ofMillis(100));
        }
        throw new IllegalStateException("no call rang within " + timeout.toSeconds() + " s"
                + (callId == null ? "" : " with id " + callId));
    }
}
