package org.securecomm.relay.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on this machine for partition tests: one network namespace per host, each with a veth
 * into a bridge in the root namespace, on a private /24 of its own. The root namespace (tests,
 * clients, Cassandra) reaches every host through the bridge at {@link #bridgeAddress()}. A
 * partition is made with "prohibit" routes between hosts, so each host still reaches the bridge
 * address (clients, Cassandra) while the hosts no longer reach each other. Needs root and
 * iproute2; traffic never leaves these namespaces.
 */
public final class NetworkNamespaces implements AutoCloseable {

    private final String prefix;
    private final String subnet;
    private final int hosts;

    private NetworkNamespaces(String prefix, String subnet, int hosts) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.hosts = hosts;
    }

    /** True when this process may create namespaces (root, iproute2 present). */
    public static boolean available() {
        String probe = "scprobe" + ProcessHandle.current().pid();
        try {
            run("ip", "netns", "add", probe);
            run("ip", "netns", "del", probe);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Creates {@code hosts} namespaces {@code PREFIX1..N} with addresses {@code SUBNET.1..N} and
     * a bridge {@code PREFIXbr} at {@code SUBNET.254}; leftovers of an earlier run with the same
     * prefix are removed first.
     *
     * @param subnet the first three octets of a private /24, e.g. "10.213.0"
     */
    public static NetworkNamespaces create(String prefix, String subnet, int hosts) {
        NetworkNamespaces namespaces = new NetworkNamespaces(prefix, subnet, hosts);
        namespaces.close();
        try {
            String bridge = namespaces.bridge();
            run("ip", "link", "add", bridge, "type", "bridge");
            run("ip", "addr", "add", namespaces.bridgeAddress() + "/24", "dev", bridge);
            run("ip", "link", "set", bridge, "up");
            for (int host = 1; host <= hosts; host++) {
                String namespace = namespaces.namespace(host);
                String veth = prefix + "v" + host;
                run("ip", "netns", "add", namespace);
                run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace);
                run("ip", "link", "set", veth, "master", bridge, "up");
                run("ip", "-n", namespace, "addr", "add", namespaces.address(host) + "/24", "dev", "eth0");
                run("ip", "-n", namespace, "link", "set", "eth0", "up");
                run("ip", "-n", namespace, "link", "set", "lo", "up");
            }
            return namespaces;
        } catch (RuntimeException e) {
            namespaces.close();
            throw e;
        }
    }

    public String bridgeAddress() {
        return subnet + ".254";
    }

    /** The address of host {@code host} (1-based). */
    public String address(int host) {
        return subnet + "." + host;
    }

    /** The command prefix that runs a program on host {@code host}. */
    public List<String> exec(int host) {
        return List.of("ip", "netns", "exec", namespace(host));
    }

    /** Cuts host {@code host} off from every other host, both ways; the bridge address stays reachable. */
    public void isolate(int host) {
        routes(host, "add");
    }

    public void heal(int host) {
        routes(host, "del");
    }

    private void routes(int host, String action) {
        for (int other = 1; other <= hosts; other++) {
            if (other != host) {
                run("ip", "-n", namespace(host), "route", action, "prohibit", address(other) + "/32");
                run("ip", "-n", namespace(other), "route", action, "prohibit", address(host) + "/32");
            }
        }
    }

    private String namespace(int host) {
        return prefix + host;
    }

    private String bridge() {
        return prefix + "br";
    }

    /** Deletes the namespaces (their veth ends go with them) and the bridge; quiet about what is not there. */
    @Override
    public void close() {
        for (int host = 1; host <= hosts; host++) {
            quietly("ip", "netns", "del", namespace(host));
            quietly("ip", "link", "del", prefix + "v" + host);
        }
        quietly("ip", "link", "del", bridge());
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (RuntimeException e) {
            // not there: nothing to delete
        }
    }

    private static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", command) + " interrupted", e);
        }
    }

    /** The namespaces' names, for diagnostics. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (int host = 1; host <= hosts; host++) {
            names.add(namespace(host));
        }
        return names;
    }
}
