package org.securecomm.desktop;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.transport.Endpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "servers", description = "Show the relay URLs of this profile's account, or replace them with --set (the cluster"
        + " got nodes, moved, or is now behind one load-balanced address). The client starts on a random one and moves to the"
        + " next when a node fails or drains.")
final class ServersCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--set", split = ",", paramLabel = "URL", description = "the new list (comma list or repeated option)")
    List<URI> replacement;

    @Override
    public Integer call() {
        Output out = common.output();
        try (SecureCommClient client = common.open()) {
            if (replacement != null) {
                client.setServers(replacement);
            }
            List<URI> servers = client.servers();
            out.print(String.join("\n", servers.stream().map(URI::toString).toList()), "servers", Endpoints.format(servers));
        }
        return 0;
    }
}
