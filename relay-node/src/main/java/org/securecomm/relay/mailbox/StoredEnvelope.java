package org.securecomm.relay.mailbox;

import java.util.UUID;
import org.securecomm.relay.CborSerializable;

/**
 * A sealed envelope waiting in a device's mailbox: the client's ciphertext plus the routing
 * metadata needed to deliver it. The relay never looks inside {@code content}.
 */
public record StoredEnvelope(
        UUID id,
        String sourceAddress,
        int sourceDevice,
        int type,
        long clientTimestamp,
        long serverTimestamp,
        byte[] content,
        boolean urgent) implements CborSerializable {
}
