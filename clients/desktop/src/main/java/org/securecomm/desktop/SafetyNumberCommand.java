package org.securecomm.desktop;

import java.util.Base64;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.contacts.SafetyNumbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "safety-number", description = "Show the safety number (and QR payload) to compare with a contact.")
final class SafetyNumberCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "CONTACT")
    String contact;

    @Override
    public Integer call() {
        try (SecureCommClient client = common.connect()) {
            SafetyNumbers numbers = client.safetyNumbers(contact);
            String qr = Base64.getEncoder().encodeToString(numbers.scannable());
            boolean verified = client.identity(contact).map(identity -> identity.verified()).orElse(false);
            common.output().print(numbers.number() + "\nQR payload (base64): " + qr + (verified ? "\nverified" : "\nnot verified"),
                    "contact", contact, "safety_number", numbers.number(), "qr", qr, "verified", verified);
        }
        return 0;
    }
}
