package org.securecomm.desktop;

import java.util.HexFormat;
import org.securecomm.client.store.StoredMessage;

/** How messages look on standard output. */
final class Printing {

    private Printing() {
    }

    static void message(Output out, StoredMessage message) {
        out.print("from " + message.sender() + ": " + message.text(),
                "id", HexFormat.of().formatHex(message.id()), "from", message.sender(), "conversation", message.conversation(),
                "text", message.text(), "sent_at", message.sentAt(), "device", message.senderDevice());
    }
}
