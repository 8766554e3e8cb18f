package org.securecomm.client.store;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The contact list of a profile; names are sealed. */
public final class ContactStore {

    private final ProfileStore db;

    public ContactStore(ProfileStore db) {
        this.db = db;
    }

    /** Adds or updates a contact; an empty name keeps the existing one. */
    public void put(String address, String name, long now) {
        byte[] sealed = name == null || name.isEmpty() ? null : db.vault().seal("contacts/" + address, name.getBytes(StandardCharsets.UTF_8));
        db.update("INSERT INTO contacts(address, sealed_name, added_at) VALUES (?, ?, ?) ON CONFLICT(address) DO UPDATE SET"
                + " sealed_name = COALESCE(excluded.sealed_name, contacts.sealed_name)", address, sealed, now);
    }

    public boolean rename(String address, String name) {
        return db.update("UPDATE contacts SET sealed_name = ? WHERE address = ?",
                db.vault().seal("contacts/" + address, name.getBytes(StandardCharsets.UTF_8)), address) == 1;
    }

    public boolean remove(String address) {
        return db.update("DELETE FROM contacts WHERE address = ?", address) == 1;
    }

    public Optional<Contact> find(String address) {
        return db.queryOne("SELECT address, sealed_name, added_at, expire_timer FROM contacts WHERE address = ?", this::map, address);
    }

    public List<Contact> list() {
        return db.query("SELECT address, sealed_name, added_at, expire_timer FROM contacts ORDER BY address", this::map);
    }

    public void setExpireTimer(String address, int seconds) {
        db.update("UPDATE contacts SET expire_timer = ? WHERE address = ?", seconds, address);
    }

    public int expireTimer(String address) {
        return find(address).map(Contact::expireTimerSeconds).orElse(0);
    }

    private Contact map(ResultSet row) throws SQLException {
        String address = row.getString(1);
        byte[] sealed = row.getBytes(2);
        String name = sealed == null ? "" : new String(db.vault().open("contacts/" + address, sealed), StandardCharsets.UTF_8);
        return new Contact(address, name, row.getLong(3), row.getInt(4));
    }
}
