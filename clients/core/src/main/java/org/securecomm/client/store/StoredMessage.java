package org.securecomm.client.store;

import java.util.HexFormat;
import org.securecomm.protocol.client.v1.ErrorCode;

/**
 * A conversation message as this device keeps it.
 *
 * @param id           the author's 16-byte message id (same on every device)
 * @param conversation the other party's address
 * @param sender       the author's address (this account's address when outgoing)
 * @param expiresAt    when the disappearing-messages timer deletes it (null: never)
 * @param failure      why the destination's cluster refused it after the send was accepted (a
 *                     federation DELIVERY_FAILURE); null while no failure is known
 */
public record StoredMessage(byte[] id, String conversation, String sender, int senderDevice, boolean outgoing, String text,
                            long sentAt, long storedAt, boolean delivered, boolean read, int expireTimerSeconds, Long expiresAt,
                            ErrorCode failure) {

    /** A message with no known delivery failure (every message as it is first stored). */
    public StoredMessage(byte[] id, String conversation, String sender, int senderDevice, boolean outgoing, String text,
                         long sentAt, long storedAt, boolean delivered, boolean read, int expireTimerSeconds, Long expiresAt) {
        this(id, conversation, sender, senderDevice, outgoing, text, sentAt, storedAt, delivered, read, expireTimerSeconds, expiresAt,
                null);
    }

    public String idHex() {
        return HexFormat.of().formatHex(id);
    }

    /** True when the destination's cluster refused this outgoing message (see {@link #failure()}). */
    public boolean failed() {
        return failure != null;
    }
}
