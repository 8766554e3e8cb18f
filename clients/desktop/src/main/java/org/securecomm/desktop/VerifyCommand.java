package org.securecomm.desktop;

import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Mark a contact verified if NUMBER (what the contact's device shows) matches.")
final class VerifyCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "CONTACT")
    String contact;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "NUMBER", description = "the 60 digits; spaces allowed")
    List<String> number;

    @Option(names = "--scanned", paramLabel = "BASE64", description = "a scanned QR payload instead of the number")
    String scanned;

    @Override
    public Integer call() {
        if ((number == null || number.isEmpty()) == (scanned == null)) {
            throw new IllegalArgumentException("give either the safety number or --scanned");
        }
        try (SecureCommClient client = common.connect()) {
            boolean matches = scanned != null
                    ? client.verifyScanned(contact, Base64.getDecoder().decode(scanned.strip()))
                    : client.verify(contact, String.join("", number));
            if (!matches) {
                throw new IllegalArgumentException("the safety number does not match: " + contact + " is NOT verified");
            }
            common.output().print("verified " + contact, "contact", contact, "verified", true);
        }
        return 0;
    }
}
