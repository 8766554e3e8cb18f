package org.securecomm.jmh;

import com.typesafe.config.ConfigFactory;
import java.util.Base64;
import org.securecomm.relay.node.RelaySettings;

/** The settings a relay node runs with when nothing is configured (relay-node reference.conf). */
public final class RelayDefaults {

    private RelayDefaults() {
    }

    public static RelaySettings settings() {
        // The one setting without a default; benchmarks never hash an identifier, so any 32 bytes do.
        String hmacKey = Base64.getEncoder().encodeToString(new byte[32]);
        return RelaySettings.from(ConfigFactory.parseString("securecomm.identifiers.hmac-key = \"" + hmacKey + "\"")
                .withFallback(ConfigFactory.load()));
    }
}
