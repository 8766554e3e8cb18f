package org.securecomm.client.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.store.ProfileStore;

/** The relay list in the profile, and profiles of the single-URL releases. */
class CredentialsTest {

    private static final URI A = URI.create("ws://a.test:8080/v1/websocket");
    private static final URI B = URI.create("ws://b.test:8080/v1/websocket");

    @Test
    void aListIsStoredAndReadBackInOrder(@TempDir Path dir) {
        try (ProfileStore db = ProfileStore.create(dir.resolve("p"), "x".toCharArray(), 1024, 1)) {
            new Credentials(List.of(B, A), "acc", "me@relay.test", 3, "pw").save(db);
            Credentials loaded = Credentials.load(db);
            assertEquals(List.of(B, A), loaded.servers());
            assertEquals(B, loaded.server());
            assertEquals(3, loaded.deviceId());
            assertEquals(B.toString(), db.setting("account.server").orElseThrow(), "older builds still find a relay");

            Credentials.saveServers(db, List.of(A));
            assertEquals(List.of(A), Credentials.load(db).servers());
        }
    }

    @Test
    void aProfileWithOnlyTheOldSingleSettingStillLoads(@TempDir Path dir) {
        try (ProfileStore db = ProfileStore.create(dir.resolve("p"), "x".toCharArray(), 1024, 1)) {
            db.putSetting("account.server", A.toString());
            db.putSetting("account.id", "acc");
            db.putSetting("account.address", "me@relay.test");
            db.putSetting("account.device-id", "1");
            db.putSetting("account.password", "pw");
            assertEquals(List.of(A), Credentials.load(db).servers());
        }
    }
}
