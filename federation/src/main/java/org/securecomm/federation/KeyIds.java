package org.securecomm.federation;

import java.util.regex.Pattern;

/**
 * Key ids name a server key in requests and descriptions: {@code ed25519:} followed by 1-64
 * characters {@code [A-Za-z0-9_-]}. The algorithm prefix leaves room for another algorithm later;
 * the narrow alphabet keeps ids safe in logs, metrics and file names.
 */
public final class KeyIds {

    private static final Pattern KEY_ID = Pattern.compile("ed25519:[A-Za-z0-9_-]{1,64}");

    private KeyIds() {
    }

    public static boolean isValid(String keyId) {
        return keyId != null && KEY_ID.matcher(keyId).matches();
    }

    /** @throws IllegalArgumentException when the id is not of the documented form */
    public static String requireValid(String keyId) {
        if (!isValid(keyId)) {
            throw new IllegalArgumentException("a key id is ed25519: followed by 1-64 characters A-Z a-z 0-9 _ -");
        }
        return keyId;
    }
}
