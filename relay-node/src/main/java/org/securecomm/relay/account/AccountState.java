package org.securecomm.relay.account;

import java.util.Map;
import java.util.TreeMap;
import org.securecomm.relay.CborSerializable;

/**
 * State of one Account entity; {@link #EMPTY} until the account is created (and again after an
 * operator deleted it). {@code disabled}: an operator disabled it, authentication is refused.
 */
public record AccountState(String username, byte[] identityKey, Map<Integer, Device> devices, int nextDeviceId, boolean disabled)
        implements CborSerializable {

    public static final AccountState EMPTY = new AccountState(null, null, Map.of(), 1, false);

    public AccountState {
        devices = new TreeMap<>(devices);
    }

    public boolean exists() {
        return username != null;
    }

    Device device(int deviceId) {
        return devices.get(deviceId);
    }

    AccountState withoutDevice(int deviceId) {
        Map<Integer, Device> updated = new TreeMap<>(devices);
        updated.remove(deviceId);
        return new AccountState(username, identityKey, updated, nextDeviceId, disabled);
    }

    AccountState withDevice(Device device) {
        Map<Integer, Device> updated = new TreeMap<>(devices);
        updated.put(device.id(), device);
        return new AccountState(username, identityKey, updated, Math.max(nextDeviceId, device.id() + 1), disabled);
    }
}
