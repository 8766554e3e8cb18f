package org.securecomm.desktop;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallManager;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.protocol.content.v1.CallRecord;

/**
 * Prints what happens in a call and keeps the command alive until the call is over for this
 * device: it ended, the --duration passed after it connected (then this device hangs up), or the
 * process is interrupted (Ctrl-C hangs up too).
 */
final class CallSession {

    private final SecureCommClient client;
    private final Output out;
    private final BlockingQueue<CallUpdate> updates = new LinkedBlockingQueue<>();

    CallSession(SecureCommClient client, Output out) {
        this.client = client;
        this.out = out;
        client.calls().onUpdate(updates::add);
    }

    /** Waits for the next update matching {@code callId} (null: any) for at most {@code timeout}. */
    CallUpdate next(String callId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            CallUpdate update = left <= 0 ? null : updates.poll(left, TimeUnit.NANOSECONDS);
            if (update == null) {
                return null;
            }
            print(update);
            if (callId == null || update.callId().equals(callId)) {
                return update;
            }
        }
    }

    /**
     * Stays in the call until it ends, or hangs up {@code duration} after it connected. Answers the
     * exit code: 0 when the call connected, 3 when nobody answered (declined, busy, missed, cancelled).
     */
    int stay(String callId, Duration duration) throws InterruptedException {
        CallManager calls = client.calls();
        Thread hangUpOnExit = new Thread(calls::hangUp, "securecomm-hang-up");
        Runtime.getRuntime().addShutdownHook(hangUpOnExit);
        try {
            long connectedAt = calls.participants().isEmpty() ? 0 : System.nanoTime();
            while (true) {
                Duration wait = Duration.ofMillis(200);
                CallUpdate update = next(callId, wait);
                if (update instanceof CallUpdate.Ended ended) {
                    return ended.record().getOutcome() == CallRecord.Outcome.ANSWERED ? 0 : 3;
                }
                if (connectedAt == 0 && !calls.participants().isEmpty()) {
                    connectedAt = System.nanoTime();
                }
                if (duration != null && connectedAt != 0 && System.nanoTime() - connectedAt >= duration.toNanos()) {
                    summary();
                    calls.hangUp();
                    CallUpdate last;
                    do {
                        last = next(callId, Duration.ofSeconds(5));
                    } while (last != null && !(last instanceof CallUpdate.Ended));
                    return 0;
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hangUpOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    /** Tells the user (and scripts) this device is connected and listening for rings. */
    void waiting(Duration timeout) {
        out.print("waiting for a call (up to " + timeout.toSeconds() + " s)...", "event", "waiting", "seconds", timeout.toSeconds());
    }

    /** What the media did: frames sent, and per remote stream what was decrypted and played. */
    void summary() {
        client.calls().mediaStats().ifPresent(stats -> {
            out.print("media: sent " + stats.framesSent() + " audio frames", "event", "media", "sent", stats.framesSent());
            for (var stream : stats.streams()) {
                out.print("  from " + stream.participant() + ": " + stream.decrypted() + " frames decrypted, " + stream.played() + " played, "
                                + stream.concealed() + " concealed" + (stream.recording() == null ? "" : ", recorded to " + stream.recording()),
                        "event", "stream", "from", stream.participant(), "decrypted", stream.decrypted(), "undecryptable",
                        stream.undecryptable(), "played", stream.played(), "concealed", stream.concealed(),
                        "recording", stream.recording() == null ? null : stream.recording().toString());
            }
        });
    }

    private void print(CallUpdate update) {
        if (update instanceof CallUpdate.Ringing r) {
            out.print("incoming " + (r.video() ? "video " : "") + "call " + r.callId() + " from " + r.caller(),
                    "event", "ringing", "call", r.callId(), "from", r.caller(), "video", r.video());
        } else if (update instanceof CallUpdate.RingStopped r) {
            out.print("call " + r.callId() + " stopped ringing: " + Printing.outcome(r.outcome()),
                    "event", "ring_stopped", "call", r.callId(), "outcome", Printing.outcome(r.outcome()));
        } else if (update instanceof CallUpdate.Joined j) {
            out.print("in call " + j.callId() + (j.participants().isEmpty() ? " (ringing...)" : " with " + String.join(", ", j.participants())),
                    "event", "joined", "call", j.callId(), "participants", j.participants());
        } else if (update instanceof CallUpdate.Participants p) {
            out.print("participants: " + (p.participants().isEmpty() ? "nobody else" : String.join(", ", p.participants())),
                    "event", "participants", "call", p.callId(), "participants", p.participants());
        } else if (update instanceof CallUpdate.Unanswered u) {
            out.print(u.address() + " " + Printing.outcome(u.outcome()), "event", "unanswered",
                    "call", u.callId(), "address", u.address(), "outcome", Printing.outcome(u.outcome()));
        } else if (update instanceof CallUpdate.MediaPath m) {
            out.print("media path: " + m.description(), "event", "media_path", "call", m.callId(), "path", m.description());
        } else if (update instanceof CallUpdate.KeyRotated k) {
            out.print("media key rotated (" + k.why() + ")", "event", "key_rotated", "call", k.callId(), "why", k.why());
        } else if (update instanceof CallUpdate.Reconnecting r) {
            out.print("connection lost, rejoining (attempt " + r.attempt() + ")", "event", "reconnecting",
                    "call", r.callId(), "attempt", r.attempt());
        } else if (update instanceof CallUpdate.Ended e) {
            out.print("call " + e.callId() + " ended: " + Printing.outcome(e.record().getOutcome())
                            + (e.record().getDurationMillis() > 0 ? ", " + Printing.duration(e.record().getDurationMillis()) : ""),
                    "event", "ended", "call", e.callId(), "outcome", Printing.outcome(e.record().getOutcome()),
                    "duration_ms", e.record().getDurationMillis(), "reason", e.reason().name());
        }
    }
}
