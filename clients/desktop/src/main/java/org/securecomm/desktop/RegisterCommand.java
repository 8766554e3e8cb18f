package org.securecomm.desktop;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "register", description = "Create an account and this profile (its first device).")
final class RegisterCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--server", required = true, split = ",", paramLabel = "URL",
            description = "the relay, e.g. ws://127.0.0.1:8080/v1/websocket; for a cluster every node's URL (comma list or repeated"
                    + " option) or one load-balanced URL")
    List<URI> servers;

    @Option(names = "--username", required = true, paramLabel = "NAME", description = "your address becomes NAME@the relay's domain")
    String username;

    @ArgGroup(multiplicity = "1")
    Identifier identifier;

    static final class Identifier {
        @Option(names = "--email", paramLabel = "E", required = true)
        String email;
        @Option(names = "--phone", paramLabel = "P", required = true)
        String phone;

        String value() {
            return email != null ? email : phone;
        }
    }

    @Option(names = "--code", paramLabel = "CODE", description = "the verification code; asked on standard input when absent")
    String code;

    @Option(names = "--device-name", paramLabel = "NAME", defaultValue = "desktop", description = "this device's name (encrypted)")
    String deviceName;

    @Override
    public Integer call() {
        char[] passphrase = common.passphrase(true);
        try (SecureCommClient client = SecureCommClient.register(common.profileDir(), passphrase, common.clientOptions(), servers,
                username, identifier.value(), deviceName,
                () -> code != null ? code : CommonOptions.prompt("Enter the verification code sent to " + identifier.value() + ": "))) {
            common.output().print("registered " + client.address() + " (device " + client.deviceId() + ")",
                    "address", client.address(), "device_id", client.deviceId());
        }
        return 0;
    }
}
