package org.securecomm.client.messaging;

import java.util.HexFormat;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.protocol.client.v1.ErrorCode;

/**
 * Another cluster refused a message this device sent to {@code destination}, after this device's
 * relay had answered the send "accepted" (the envelopes were queued for that cluster).
 *
 * @param destination the address that could not be reached
 * @param messageId   the transport message id of the failed send (for a user message: its id)
 * @param code        why: UNKNOWN_ACCOUNT, MISMATCHED_DEVICES (the device list is corrected:
 *                    sending again reaches the right devices), MAILBOX_FULL...; UNRECOGNIZED for a
 *                    code this build does not know
 * @param message     the stored outgoing message, now marked failed; null when the send was not a
 *                    stored message (a timer update) or the message is gone (expired)
 */
public record DeliveryFailureNotice(String destination, byte[] messageId, ErrorCode code, StoredMessage message) {

    public String messageIdHex() {
        return HexFormat.of().formatHex(messageId);
    }
}
