package org.securecomm.client.account;

import java.net.URI;
import java.util.List;
import org.securecomm.client.store.ProfileException;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.transport.Endpoints;

/**
 * What a device needs to authenticate to its relay; kept sealed in the profile. {@code servers}
 * are the relay URLs of the account's cluster (one entry for a single node or a load-balanced
 * address).
 */
public record Credentials(List<URI> servers, String accountId, String address, int deviceId, String password) {

    private static final String SERVERS = "account.servers";
    /** The single URL of profiles made before relay lists; still written (the first URL) for older builds. */
    private static final String SERVER = "account.server";

    public Credentials {
        servers = Endpoints.check(servers);
    }

    public Credentials(URI server, String accountId, String address, int deviceId, String password) {
        this(List.of(server), accountId, address, deviceId, password);
    }

    /** The first relay URL. */
    public URI server() {
        return servers.get(0);
    }

    public Credentials withServers(List<URI> newServers) {
        return new Credentials(newServers, accountId, address, deviceId, password);
    }

    public void save(ProfileStore db) {
        db.transaction(() -> {
            saveServers(db, servers);
            db.putSetting("account.id", accountId);
            db.putSetting("account.address", address);
            db.putSetting("account.device-id", Integer.toString(deviceId));
            db.putSetting("account.password", password);
            return null;
        });
    }

    /** Replaces the stored relay list (the account moved, or its cluster got nodes or an address). */
    public static void saveServers(ProfileStore db, List<URI> servers) {
        List<URI> checked = Endpoints.check(servers);
        db.transaction(() -> {
            db.putSetting(SERVERS, Endpoints.format(checked));
            db.putSetting(SERVER, checked.get(0).toString());
            return null;
        });
    }

    public static Credentials load(ProfileStore db) {
        List<URI> servers = db.setting(SERVERS).map(Endpoints::parse).orElseGet(() -> List.of(URI.create(required(db, SERVER))));
        return new Credentials(servers, required(db, "account.id"), required(db, "account.address"),
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
        return "Credentials[" + address + " device " + deviceId + " at " + Endpoints.format(servers) + "]";
    }
}
