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
            // Pending: no relay node answered before the send deadline; the profile's outbox
            // resends it (same bytes) the next time this profile connects.
            boolean pending = client.deliveryState(sent) == SecureCommClient.DeliveryState.PENDING;
            common.output().print((pending ? "pending (resent on the next connection) to " : "sent to ") + sent.conversation(),
                    "id", HexFormat.of().formatHex(sent.id()), "to", sent.conversation(), "sent_at", sent.sentAt(),
                    "state", pending ? "pending" : "sent");
        }
        return 0;
    }
}
