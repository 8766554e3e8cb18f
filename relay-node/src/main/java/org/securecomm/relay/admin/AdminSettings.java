package org.securecomm.relay.admin;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code securecomm.admin} section. The listener is for operators on the node's own machine:
 * a non-loopback interface is refused unless {@code allow-remote} says otherwise.
 *
 * @param token     the bearer token from configuration (normally env SECURECOMM_ADMIN_TOKEN), empty: none
 * @param tokenFile where the token is read from, or written to when generated; empty: the default location
 */
public record AdminSettings(boolean enabled, String host, int port, String token, String tokenFile, boolean allowRemote,
                            Duration timeout) {

    /** Tokens shorter than this are refused: the admin API can delete accounts. */
    static final int MIN_TOKEN_LENGTH = 16;

    public static AdminSettings from(Config root) {
        Config c = root.getConfig("securecomm.admin");
        AdminSettings settings = new AdminSettings(c.getBoolean("enabled"), c.getString("interface").strip(), c.getInt("port"),
                c.getString("token").strip(), c.getString("token-file").strip(), c.getBoolean("allow-remote"),
                c.getDuration("timeout"));
        if (settings.port() < 0 || settings.port() > 65535) {
            throw new IllegalArgumentException("securecomm.admin.port must be 0 to 65535, not " + settings.port());
        }
        if (!settings.token().isEmpty() && settings.token().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("securecomm.admin.token (env SECURECOMM_ADMIN_TOKEN) must have at least "
                    + MIN_TOKEN_LENGTH + " characters, e.g. `head -c 32 /dev/urandom | base64`");
        }
        if (settings.enabled() && !settings.allowRemote() && !isLoopback(settings.host())) {
            throw new IllegalArgumentException("securecomm.admin.interface is " + settings.host()
                    + ", not a loopback address: the admin listener serves operators on this machine only (use an SSH tunnel);"
                    + " set securecomm.admin.allow-remote = on to expose it anyway");
        }
        return settings;
    }

    /** The token file to read, or to write a generated token to: {@code ~/.securecomm/relay-admin-PORT.token} by default. */
    public Path tokenPath(int boundPort) {
        return tokenFile.isEmpty() ? defaultTokenPath(boundPort) : Path.of(tokenFile);
    }

    /** Where a node listening on {@code port} writes its generated token (the CLI reads it from there). */
    public static Path defaultTokenPath(int port) {
        return Path.of(System.getProperty("user.home"), ".securecomm", "relay-admin-" + port + ".token");
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
