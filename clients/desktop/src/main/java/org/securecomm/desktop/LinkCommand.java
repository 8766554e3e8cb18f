package org.securecomm.desktop;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "link", description = "Make this profile a new device of an existing account.")
final class LinkCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--server", required = true, split = ",", paramLabel = "URL",
            description = "the account's relay; for a cluster every node's URL (comma list or repeated option) or one load-balanced URL")
    List<URI> servers;

    @Override
    public Integer call() {
        Output out = common.output();
        char[] passphrase = common.passphrase(true);
        try (SecureCommClient client = SecureCommClient.link(common.profileDir(), passphrase, common.clientOptions(), servers,
                link -> out.print("On a device of the account run: securecomm devices add '" + link + "'\n" + link, "link", link),
                code -> out.print("Confirmation code: " + code, "code", code))) {
            out.print("linked " + client.address() + " (device " + client.deviceId() + ")",
                    "address", client.address(), "device_id", client.deviceId());
        }
        return 0;
    }
}
