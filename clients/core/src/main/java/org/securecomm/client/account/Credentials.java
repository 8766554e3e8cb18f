package org.securecomm.client.account;

import java.net.URI;
import org.securecomm.client.store.ProfileException;
import org.securecomm.client.store.ProfileStore;

/** What a device needs to authenticate to its relay; kept sealed in the profile. */
public record Credentials(URI server, String accountId, String address, int deviceId, String password) {

    public void save(ProfileStore db) {
        db.transaction(() -> {
            db.putSetting("account.server", server.toString());
            db.putSetting("account.id", accountId);
            db.putSetting("account.address", address);
            db.putSetting("account.device-id", Integer.toString(deviceId));
            db.putSetting("account.password", password);
            return null;
        });
    }

    public static Credentials load(ProfileStore db) {
        return new Credentials(URI.create(required(db, "account.server")), required(db, "account.id"), required(db, "account.address"),
                Integer.parseInt(required(db, "account.device-id")), required(db, "account.password"));
    }

    public static boolean present(ProfileStore db) {
        return db.setting("account.id").isPresent();
    }

    private static String required(ProfileStore db, String key) {
        return db.setting(key).orElseThrow(() -> new ProfileException("the profile is not registered or linked yet"));
    }

    @Override
    public String toString() {
        return "Credentials[" + address + " device " + deviceId + " at " + server + "]";
    }
}
