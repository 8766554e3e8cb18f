package org.securecomm.client.contacts;

import com.google.protobuf.ByteString;
import java.util.HashSet;
import java.util.Set;
import org.securecomm.client.store.Contact;
import org.securecomm.client.store.ContactStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.client.store.TrustedIdentity;
import org.securecomm.client.transport.Relay;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.Identifiers;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.ContactMatches;
import org.securecomm.protocol.client.v1.DiscoverContacts;
import org.securecomm.protocol.content.v1.ContactEntry;
import org.securecomm.protocol.content.v1.ContactList;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.InvalidKeyException;

/**
 * Finding contacts (hashed discovery: the relay sees only {@link Identifiers#clientHash}) and the
 * contact list as it travels between the account's own devices, end-to-end encrypted.
 */
public final class ContactDirectory {

    private final Relay relay;
    private final String selfAddress;

    public ContactDirectory(Relay relay, String selfAddress) {
        this.relay = relay;
        this.selfAddress = selfAddress;
    }

    /** @throws IllegalArgumentException unless {@code text} is an address {@code name@domain} */
    public static String checkAddress(String text) {
        return Address.parse(text).toString();
    }

    /**
     * An email address or phone number that belongs to an account resolves to its address;
     * anything else must itself be an address.
     */
    public String resolve(String addressOrIdentifier) {
        String normalized = null;
        try {
            normalized = Identifiers.normalize(addressOrIdentifier);
        } catch (IllegalArgumentException notAnIdentifier) {
            // an address such as bob@localhost, checked below
        }
        if (normalized != null) {
            byte[] hash = Identifiers.clientHash(normalized);
            ContactMatches matches = relay.call(ClientMessage.newBuilder().setDiscoverContacts(
                    DiscoverContacts.newBuilder().addIdentifierHashes(ByteString.copyFrom(hash)))).getContactMatches();
            if (matches.getMatchesCount() > 0) {
                return matches.getMatches(0).getAddress();
            }
            if (normalized.startsWith("+")) {
                throw new IllegalArgumentException("no account has the phone number " + addressOrIdentifier);
            }
        }
        String address;
        try {
            address = checkAddress(addressOrIdentifier);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an address, nor an email or phone number of an account: " + addressOrIdentifier);
        }
        if (address.equals(selfAddress)) {
            throw new IllegalArgumentException("that is this account's own address");
        }
        return address;
    }

    public ContactList contactList(ContactStore contacts, ProtocolStore protocol) {
        ContactList.Builder list = ContactList.newBuilder();
        for (Contact contact : contacts.list()) {
            ContactEntry.Builder entry = ContactEntry.newBuilder().setAddress(contact.address()).setName(contact.name())
                    .setExpireTimerSeconds(contact.expireTimerSeconds());
            protocol.trustedIdentity(contact.address()).filter(TrustedIdentity::accepted).ifPresent(identity -> entry
                    .setIdentityKey(ByteString.copyFrom(identity.key().serialize())).setVerified(identity.verified()));
            list.addContacts(entry);
        }
        return list.build();
    }

    /** Makes the local contact list the given one (names, timers, known identity keys). */
    public static void applyContactList(ContactStore contacts, ProtocolStore protocol, ContactList list, long now) {
        Set<String> listed = new HashSet<>();
        for (ContactEntry entry : list.getContactsList()) {
            listed.add(entry.getAddress());
            contacts.put(entry.getAddress(), entry.getName(), now);
            contacts.setExpireTimer(entry.getAddress(), entry.getExpireTimerSeconds());
            if (!entry.getIdentityKey().isEmpty()) {
                try {
                    protocol.learnIdentity(entry.getAddress(), new IdentityKey(entry.getIdentityKey().toByteArray()), entry.getVerified());
                } catch (InvalidKeyException e) {
                    // a damaged key from our own device: keep what we know
                }
            }
        }
        contacts.list().stream().filter(c -> !listed.contains(c.address())).forEach(c -> contacts.remove(c.address()));
    }
}
