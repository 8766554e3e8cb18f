package org.securecomm.desktop;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.contacts.ContactDirectory;
import org.securecomm.client.store.StoredMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "chat", description = "Interactive conversation: each line you type is sent; incoming messages appear as they arrive.")
final class ChatCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "CONTACT")
    String contact;

    @Override
    public Integer call() throws IOException {
        String address = ContactDirectory.checkAddress(contact);
        Output out = common.output();
        try (SecureCommClient client = common.connect(Printing::connectionState)) {
            client.onMessage(message -> {
                if (!message.outgoing() && message.conversation().equals(address)) {
                    Printing.message(out, message);
                    client.markShown(message);
                    client.markRead(address);
                }
            });
            client.awaitQueueEmpty(Duration.ofSeconds(60));
            boolean shown = false;
            for (StoredMessage message : client.unshownMessages()) {
                if (message.conversation().equals(address)) {
                    Printing.message(out, message);
                    client.markShown(message);
                    shown = true;
                }
            }
            if (shown) {
                client.markRead(address);
            }
            System.err.println("chatting with " + address + ": type a line to send it, end with Ctrl-D");
            String line;
            while ((line = CommonOptions.STDIN.readLine()) != null) {
                if (!line.isBlank()) {
                    client.send(address, line);
                }
            }
        }
        return 0;
    }
}
