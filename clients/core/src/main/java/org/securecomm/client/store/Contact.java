package org.securecomm.client.store;

/** A contact: an address, the user's own name for it (never sent to a relay) and the conversation's timer. */
public record Contact(String address, String name, long addedAt, int expireTimerSeconds) {
}
