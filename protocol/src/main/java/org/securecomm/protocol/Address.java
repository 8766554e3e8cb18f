package org.securecomm.protocol;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A public account address, {@code username@domain}: the username is unique on the relay cluster
 * that serves {@code domain}, which makes addresses routable between federated clusters.
 */
public record Address(String username, String domain) {

    private static final Pattern USERNAME = Pattern.compile("[a-z0-9](?:[a-z0-9._-]{1,30}[a-z0-9])");
    // RFC 1123 host names, lower case, optionally with a port (private deployments, tests).
    private static final Pattern DOMAIN =
            Pattern.compile("(?=.{1,253}(?::\\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\\d{1,5})?");

    public Address {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(domain, "domain");
        if (!isValidUsername(username)) {
            throw new IllegalArgumentException("invalid username: 3-32 characters a-z 0-9 . _ -, starting and ending with a letter or digit");
        }
        if (!isValidDomain(domain)) {
            throw new IllegalArgumentException("invalid domain: " + domain);
        }
    }

    /** Parses {@code name@domain}, lower-casing both parts. */
    public static Address parse(String text) {
        Objects.requireNonNull(text, "address");
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("an address is username@domain");
        }
        return new Address(text.substring(0, at).toLowerCase(Locale.ROOT), text.substring(at + 1).toLowerCase(Locale.ROOT));
    }

    public static boolean isValidUsername(String username) {
        return USERNAME.matcher(username).matches();
    }

    public static boolean isValidDomain(String domain) {
        return DOMAIN.matcher(domain).matches();
    }

    @Override
    public String toString() {
        return username + "@" + domain;
    }
}
