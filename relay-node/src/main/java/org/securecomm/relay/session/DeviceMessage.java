package org.securecomm.relay.session;

import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.account.KeyStock;
import org.securecomm.relay.mailbox.StoredEnvelope;

/** What the cluster pushes to a device's live connection, wherever that connection lives. */
public sealed interface DeviceMessage extends CborSerializable {

    record Deliver(StoredEnvelope envelope) implements DeviceMessage {
    }

    /** Everything that was queued when the connection attached has been pushed. */
    record QueueEmpty() implements DeviceMessage {
    }

    record KeyStockLow(KeyStock stock) implements DeviceMessage {
    }

    /** The same device connected again elsewhere; this connection must close. */
    record Replaced() implements DeviceMessage {
    }

    /** The device was removed from its account (or the account re-registered): close. */
    record Removed() implements DeviceMessage {
    }

    /** A body for the device-linking channel an unauthenticated connection opened. */
    record Provisioning(String channelId, byte[] body) implements DeviceMessage {
    }
}
