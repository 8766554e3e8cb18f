package org.securecomm.desktop;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.StoredMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "receive", description = "Fetch and print new messages as `from ADDRESS: TEXT`, and sends a contact of another"
        + " cluster refused after accepting them as `not delivered to ADDRESS (CODE): TEXT` (--json: one object per line).")
final class ReceiveCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
            description = "keep receiving this long after the queued messages (default 0)")
    int waitSeconds;

    @Option(names = "--follow", description = "keep receiving until interrupted (Ctrl-C); connection changes (reconnecting to another"
            + " relay node) are shown on standard error")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
        Output out = common.output();
        try (SecureCommClient client = common.connect(follow || waitSeconds > 0 ? Printing::connectionState : null)) {
            // Reports arrive as envelopes like messages: shown as they are processed.
            client.onDeliveryFailure(notice -> Printing.deliveryFailure(out, notice));
            client.awaitQueueEmpty(Duration.ofSeconds(60));
            long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
            Set<String> conversations = new LinkedHashSet<>();
            while (true) {
                for (StoredMessage message : client.unshownMessages()) {
                    Printing.message(out, message);
                    client.markShown(message);
                    conversations.add(message.conversation());
                }
                if (follow && !conversations.isEmpty()) {
                    conversations.forEach(client::markRead);
                    conversations.clear();
                }
                if (!follow && System.nanoTime() >= deadline) {
                    break;
                }
                Thread.sleep(100);
            }
            conversations.forEach(client::markRead);
        }
        return 0;
    }
}
