package org.securecomm.relay.account;

import org.securecomm.protocol.Address;

/** A device whose credentials were verified on this connection. */
public record AuthenticatedDevice(String accountId, int deviceId, Address address) {
}
