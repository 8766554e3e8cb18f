package org.securecomm.desktop;

import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "trust", description = "Accept a contact's changed identity key so sending resumes (it stays unverified).")
final class TrustCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "CONTACT")
    String contact;

    @Override
    public Integer call() {
        try (SecureCommClient client = common.connect()) {
            client.acceptIdentity(contact);
            common.output().print("accepted the current identity key of " + contact, "contact", contact, "accepted", true);
        }
        return 0;
    }
}
