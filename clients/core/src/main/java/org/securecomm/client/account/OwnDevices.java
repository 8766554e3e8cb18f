package org.securecomm.client.account;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.securecomm.client.store.ProfileStore;

/**
 * The ids of this account's other devices, as last learned (device list on connect, linking,
 * removal, a message from an unknown own device). Sync copies go to these.
 */
public final class OwnDevices {

    private final ProfileStore db;
    private final int self;

    public OwnDevices(ProfileStore db, int self) {
        this.db = db;
        this.self = self;
    }

    public Set<Integer> others() {
        return db.setting("devices.others").filter(s -> !s.isEmpty())
                .map(s -> Arrays.stream(s.split(",")).map(Integer::parseInt).collect(Collectors.toCollection(TreeSet::new)))
                .orElseGet(TreeSet::new);
    }

    public void replace(Set<Integer> allDevices) {
        Set<Integer> others = new TreeSet<>(allDevices);
        others.remove(self);
        db.putSetting("devices.others", others.stream().map(String::valueOf).collect(Collectors.joining(",")));
    }

    public void add(int deviceId) {
        Set<Integer> others = others();
        if (deviceId != self && others.add(deviceId)) {
            replace(others);
        }
    }

    public void remove(int deviceId) {
        Set<Integer> others = others();
        if (others.remove(deviceId)) {
            replace(others);
        }
    }
}
