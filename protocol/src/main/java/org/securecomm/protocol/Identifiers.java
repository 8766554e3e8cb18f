package org.securecomm.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Email addresses and phone numbers that identify people. They are normalized the same way on
 * every device and relay, then hashed by the device ({@link #clientHash}) before contact
 * discovery; the relay additionally keys that hash with its own secret before storing it, so a
 * copy of the relay's database holds neither the identifier nor a hash anyone can recompute.
 */
public final class Identifiers {

    private static final Pattern PHONE = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+");
    private static final byte[] HASH_CONTEXT = "securecomm/identifier/v1\0".getBytes(StandardCharsets.UTF_8);

    public static final int HASH_LENGTH = 32;

    private Identifiers() {
    }

    /**
     * Normalizes an email address (trimmed, lower case) or a phone number (E.164: '+' and digits;
     * spaces, dashes, dots and parentheses are dropped).
     *
     * @throws IllegalArgumentException when the text is neither
     */
    public static String normalize(String identifier) {
        if (identifier == null) {
            throw new IllegalArgumentException("identifier is missing");
        }
        String trimmed = identifier.strip();
        if (trimmed.startsWith("+")) {
            String phone = trimmed.replaceAll("[\\s().-]", "");
            if (PHONE.matcher(phone).matches()) {
                return phone;
            }
            throw new IllegalArgumentException("a phone number is '+' and 7 to 15 digits (E.164)");
        }
        String email = trimmed.toLowerCase(Locale.ROOT);
        if (email.length() <= 254 && EMAIL.matcher(email).matches()) {
            return email;
        }
        throw new IllegalArgumentException("an identifier is an email address or an E.164 phone number");
    }

    /** SHA-256 of the normalized identifier under a fixed context string. */
    public static byte[] clientHash(String normalizedIdentifier) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(HASH_CONTEXT);
            return digest.digest(normalizedIdentifier.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
