package org.securecomm.client.store;

import java.util.HexFormat;

/**
 * A conversation message as this device keeps it.
 *
 * @param id           the author's 16-byte message id (same on every device)
 * @param conversation the other party's address
 * @param sender       the author's address (this account's address when outgoing)
 * @param expiresAt    when the disappearing-messages timer deletes it (null: never)
 */
public record StoredMessage(byte[] id, String conversation, String sender, int senderDevice, boolean outgoing, String text,
                            long sentAt, long storedAt, boolean delivered, boolean read, int expireTimerSeconds, Long expiresAt) {

    public String idHex() {
        return HexFormat.of().formatHex(id);
    }
}
