package org.securecomm.desktop;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.CallHistoryStore;
import org.securecomm.protocol.content.v1.CallRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "calls", description = "Call history and rejoining a call.",
        subcommands = {CallsCommand.History.class, CallsCommand.Rejoin.class})
final class CallsCommand {

    @Command(name = "history", description = "Calls of this device (and those its other devices reported), newest first.")
    static final class History implements Callable<Integer> {

        @Mixin
        CommonOptions common;

        @Option(names = "--limit", defaultValue = "50", description = "at most this many calls (default 50)")
        int limit;

        @Override
        public Integer call() {
            Output out = common.output();
            try (SecureCommClient client = common.connect()) {
                client.awaitQueueEmpty(java.time.Duration.ofSeconds(30)); // sync reports of the other devices first
                for (CallHistoryStore.Entry entry : client.calls().history(limit)) {
                    CallRecord r = entry.record();
                    String direction = r.getDirection() == CallRecord.Direction.OUTGOING ? "outgoing" : "incoming";
                    out.print(Instant.ofEpochMilli(r.getStartedAtMillis()) + "  " + direction + (r.getVideo() ? " video" : "") + "  "
                                    + Printing.outcome(r.getOutcome()) + "  " + Printing.duration(r.getDurationMillis()) + "  "
                                    + String.join(", ", r.getParticipantsList()) + "  " + entry.callId(),
                            "call", entry.callId(), "direction", direction, "outcome", Printing.outcome(r.getOutcome()),
                            "started_at", r.getStartedAtMillis(), "duration_ms", r.getDurationMillis(),
                            "participants", r.getParticipantsList(), "video", r.getVideo());
                }
            }
            return 0;
        }
    }

    @Command(name = "rejoin", description = "Get back into a call that is still going on (after a crash, a restart or a network drop).")
    static final class Rejoin implements Callable<Integer> {

        @Mixin
        CommonOptions common;

        @Mixin
        MediaOptions media;

        @Parameters(paramLabel = "CALL_ID")
        String callId;

        @Override
        public Integer call() throws InterruptedException {
            try (SecureCommClient client = common.connect()) {
                CallSession session = new CallSession(client, common.output());
                client.calls().join(callId, media.toCallOptions());
                return session.stay(callId, media.duration());
            }
        }
    }
}
