package org.securecomm.desktop;

import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "decline", description = "Wait for a call to ring on this device and decline it (for every device of the account).")
final class DeclineCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Mixin
    RingOptions ring;

    @Override
    public Integer call() throws InterruptedException {
        try (SecureCommClient client = common.connect()) {
            CallSession session = new CallSession(client, common.output());
            CallManager.Incoming incoming = Ringing.await(client, session, ring.callId, ring.timeout());
            client.calls().decline(incoming.callId());
            common.output().print("declined call " + incoming.callId() + " from " + incoming.caller(), "event", "declined",
                    "call", incoming.callId(), "from", incoming.caller());
            return 0;
        }
    }
}
