package org.securecomm.client;

/** A device of this account as listed by the relay, with its name decrypted. */
public record DeviceEntry(int id, String name, long createdAtMillis, boolean thisDevice) {
}
