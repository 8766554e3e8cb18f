package org.securecomm.desktop;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "decline", description = "Wait for a call to ring on this device and decline it (for every device of the account).")
final class DeclineCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "CALL_ID", description = "decline only this call (default: the first that rings)")
    String callId;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "120", description = "how long to wait for a ring (default 120)")
    int waitSeconds;

    @Override
    public Integer call() throws InterruptedException {
        try (SecureCommClient client = common.connect()) {
            CallSession session = new CallSession(client, common.output());
            CallManager.Incoming incoming = Ringing.await(client, session, callId, Duration.ofSeconds(waitSeconds));
            client.calls().decline(incoming.callId());
            common.output().print("declined call " + incoming.callId() + " from " + incoming.caller(), "event", "declined",
                    "call", incoming.callId(), "from", incoming.caller());
            return 0;
        }
    }
}
