package org.securecomm.desktop;

import java.util.List;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "call", description = {"Call one or more contacts (every device of each rings); more than one makes a group call.",
        "Exit code 0 when the call connected, 3 when nobody answered."})
final class CallCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Mixin
    MediaOptions media;

    @Parameters(arity = "1..*", paramLabel = "CONTACT", description = "addresses (name@domain) to ring")
    List<String> contacts;

    @Override
    public Integer call() throws InterruptedException {
        try (SecureCommClient client = common.connect()) {
            CallSession session = new CallSession(client, common.output());
            String callId = client.calls().place(contacts, media.toCallOptions());
            common.output().print("calling " + String.join(", ", contacts) + ": call " + callId, "event", "calling", "call", callId,
                    "to", contacts);
            return session.stay(callId, media.duration());
        }
    }
}
