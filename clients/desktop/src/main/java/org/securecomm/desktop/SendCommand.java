package org.securecomm.desktop;

import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.StoredMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "send", description = "Send a message to a contact (all its devices and your other devices get it).")
final class SendCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "CONTACT")
    String contact;

    @Parameters(index = "1", paramLabel = "TEXT")
    String text;

    @Override
    public Integer call() {
        try (SecureCommClient client = common.connect()) {
            StoredMessage sent = client.send(contact, text);
            common.output().print("sent to " + sent.conversation(), "id", HexFormat.of().formatHex(sent.id()), "to", sent.conversation(),
                    "sent_at", sent.sentAt());
        }
        return 0;
    }
}
