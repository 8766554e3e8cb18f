package org.securecomm.client.call;

import java.util.HexFormat;
import java.util.Set;
import org.securecomm.client.SecureCommClient;

/**
 * Collects every SFrame sender key a client uses in its calls (hex), for tests that prove keys
 * never reach a relay: the SDK shows its current key only inside its own package.
 */
public final class MediaKeys {

    private MediaKeys() {
    }

    /** Adds the client's current key to {@code keys} now and on every call update (rotations, joins). */
    public static void collect(SecureCommClient client, Set<String> keys) {
        client.calls().onUpdate(update -> addCurrent(client, keys));
    }

    /** Adds the client's current key, if it is in a call. */
    public static void addCurrent(SecureCommClient client, Set<String> keys) {
        client.calls().currentMediaKey().ifPresent(key -> keys.add(HexFormat.of().formatHex(key.baseKey())));
    }
}
