package org.securecomm.client.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.signal.libsignal.protocol.IdentityKeyPair;

class ProfileStoreTest {

    private static final char[] PASSPHRASE = "open sesame".toCharArray();

    @Test
    void secretsAreSealedUnderThePassphraseAndTheProfileIsOwnerOnly(@TempDir Path dir) throws Exception {
        Path profile = dir.resolve("p");
        IdentityKeyPair identity = IdentityKeyPair.generate();
        String secretText = "a secret message body " + System.nanoTime();
        try (ProfileStore db = ProfileStore.create(profile, PASSPHRASE, 1024, 1)) {
            new ProtocolStore(db, Clock.systemUTC()).setLocalIdentity(identity, 42, "me@relay.test");
            db.putSetting("note", secretText);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(profile)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(profile.resolve("profile.db"))));
        try (Stream<Path> files = Files.list(profile)) {
            for (Path file : files.toList()) {
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(secretText), file + " holds the secret in the clear");
                assertFalse(bytes.contains(new String(identity.getPrivateKey().serialize(), StandardCharsets.ISO_8859_1)),
                        file + " holds the private key in the clear");
            }
        }
        assertThrows(ProfileException.class, () -> ProfileStore.open(profile, "wrong".toCharArray()));
        try (ProfileStore db = ProfileStore.open(profile, PASSPHRASE)) {
            assertEquals(secretText, db.setting("note").orElseThrow());
            ProtocolStore protocol = new ProtocolStore(db, Clock.systemUTC());
            assertArrayEquals(identity.serialize(), protocol.getIdentityKeyPair().serialize());
            assertEquals(42, protocol.getLocalRegistrationId());
            ProfileException locked = assertThrows(ProfileException.class, () -> ProfileStore.open(profile, PASSPHRASE));
            assertTrue(locked.getMessage().contains("in use"));
        }
    }

    @Test
    void aTransactionIsAllOrNothing(@TempDir Path dir) {
        try (ProfileStore db = ProfileStore.create(dir.resolve("p"), PASSPHRASE, 1024, 1)) {
            assertThrows(IllegalStateException.class, () -> db.transaction(() -> {
                db.putSetting("a", "1");
                throw new IllegalStateException("crash in the middle");
            }));
            assertTrue(db.setting("a").isEmpty());
        }
    }
}
