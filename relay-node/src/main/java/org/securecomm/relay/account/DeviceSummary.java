package org.securecomm.relay.account;

import org.securecomm.relay.CborSerializable;

/**
 * A device as the rest of the relay needs it (authentication, routing, device lists): everything
 * but its stored prekeys. Accounts answer with summaries because the answer may cross nodes, and
 * a device's one-time and Kyber prekeys (some 170 KB) would make it larger than a cluster frame.
 */
public record DeviceSummary(int id, int registrationId, String passwordHash, long createdAtMillis, byte[] encryptedName,
                            KeyStock keyStock) implements CborSerializable {

    static DeviceSummary of(Device device) {
        return new DeviceSummary(device.id(), device.registrationId(), device.passwordHash(), device.createdAtMillis(),
                device.encryptedName(), device.keyStock());
    }
}
