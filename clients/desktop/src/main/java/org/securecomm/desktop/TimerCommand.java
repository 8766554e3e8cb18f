package org.securecomm.desktop;

import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "timer", description = "Set the disappearing-messages timer of a conversation (0 turns it off).")
final class TimerCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "CONTACT")
    String contact;

    @Parameters(index = "1", paramLabel = "SECONDS")
    int seconds;

    @Override
    public Integer call() {
        if (seconds < 0) {
            throw new IllegalArgumentException("the timer is 0 (off) or a number of seconds");
        }
        try (SecureCommClient client = common.connect()) {
            client.setExpireTimer(contact, seconds);
            common.output().print("disappearing messages with " + contact + ": " + (seconds == 0 ? "off" : seconds + " s"),
                    "contact", contact, "expire_timer_seconds", seconds);
        }
        return 0;
    }
}
