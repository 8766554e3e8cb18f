package org.securecomm.client.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.protocol.client.v1.ErrorCode;

/** A profile written by the release before delivery failures opens, keeps its messages and gains the column. */
class SchemaUpgradeTest {

    private static final char[] PASSPHRASE = "upgrade me".toCharArray();
    private static final byte[] ID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void aProfileOfThePreviousVersionUpgradesAndKeepsItsMessages(@TempDir Path dir) {
        Path profile = dir.resolve("p");
        try (ProfileStore db = ProfileStore.create(profile, PASSPHRASE, 1024, 1)) {
            new MessageStore(db).insert(new StoredMessage(ID, "bob@remote.test", "me@home.test", 1, true, "kept text", 10, 20, true,
                    false, 30, 40_000L));
            // Back to the previous version's shape: its messages table had no failed_code.
            db.update("ALTER TABLE messages DROP COLUMN failed_code");
            assertFalse(columns(db).contains("failed_code"));
        }
        try (ProfileStore db = ProfileStore.open(profile, PASSPHRASE)) {
            assertTrue(columns(db).contains("failed_code"));
            MessageStore messages = new MessageStore(db);
            StoredMessage kept = messages.find(ID).orElseThrow();
            assertArrayEquals(ID, kept.id());
            assertEquals("kept text", kept.text());
            assertEquals("bob@remote.test", kept.conversation());
            assertEquals(10, kept.sentAt());
            assertTrue(kept.delivered());
            assertEquals(30, kept.expireTimerSeconds());
            assertEquals(40_000L, kept.expiresAt());
            assertNull(kept.failure(), "an old message has no failure");
            assertTrue(messages.markFailed(ID, "bob@remote.test", ErrorCode.UNKNOWN_ACCOUNT_VALUE).isPresent());
        }
        // Upgrading is idempotent: opening again neither fails nor loses the new state.
        try (ProfileStore db = ProfileStore.open(profile, PASSPHRASE)) {
            assertEquals(ErrorCode.UNKNOWN_ACCOUNT, new MessageStore(db).find(ID).orElseThrow().failure());
        }
    }

    @Test
    void onlyAnOutgoingMessageOfThatConversationIsMarkedAndAnUnknownCodeStaysAFailure(@TempDir Path dir) {
        try (ProfileStore db = ProfileStore.create(dir.resolve("p"), PASSPHRASE, 1024, 1)) {
            MessageStore messages = new MessageStore(db);
            byte[] incoming = ID.clone();
            incoming[0] = 99;
            messages.insert(new StoredMessage(ID, "bob@remote.test", "me@home.test", 1, true, "out", 1, 1, false, false, 0, null));
            messages.insert(new StoredMessage(incoming, "bob@remote.test", "bob@remote.test", 1, false, "in", 1, 1, false, false, 0, null));

            assertTrue(messages.markFailed(ID, "carol@remote.test", ErrorCode.MAILBOX_FULL_VALUE).isEmpty());
            assertTrue(messages.markFailed(incoming, "bob@remote.test", ErrorCode.MAILBOX_FULL_VALUE).isEmpty());
            assertEquals(ErrorCode.UNRECOGNIZED, messages.markFailed(ID, "bob@remote.test", 9999).orElseThrow().failure());
            messages.clearFailure(ID);
            assertNull(messages.find(ID).orElseThrow().failure());
        }
    }

    private static List<String> columns(ProfileStore db) {
        return db.query("PRAGMA table_info(messages)", row -> row.getString("name"));
    }
}
