package org.securecomm.desktop;

import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "answer", description = {"Wait for a call to ring on this device and pick it up (the account's other devices stop ringing).",
        "Run it before the caller rings: a device only hears the rings that start while it is connected."})
final class AnswerCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Mixin
    MediaOptions media;

    @Mixin
    RingOptions ring;

    @Override
    public Integer call() throws InterruptedException {
        try (SecureCommClient client = common.connect()) {
            CallSession session = new CallSession(client, common.output());
            CallManager.Incoming incoming = Ringing.await(client, session, ring.callId, ring.timeout());
            client.calls().answer(incoming.callId(), media.toCallOptions());
            return session.stay(incoming.callId(), media.duration());
        }
    }
}
