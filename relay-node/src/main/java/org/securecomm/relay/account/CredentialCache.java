package org.securecomm.relay.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers, in memory only, which passwords recently passed the Argon2id check, so a device that
 * reconnects (or thousands after a node restart) costs a SHA-256 instead of an Argon2id run. An
 * entry is bound to the stored hash it was checked against: a reset password misses the cache.
 * The digest is keyed with a per-process random key, so a heap dump does not reveal passwords.
 */
final class CredentialCache {

    private record Entry(String storedHash, byte[] digest) {
    }

    private final byte[] processKey = new byte[32];
    private final Map<String, Entry> entries;

    CredentialCache(int capacity) {
        new SecureRandom().nextBytes(processKey);
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized boolean matches(String deviceKey, String storedHash, String password) {
        Entry entry = entries.get(deviceKey);
        return entry != null && entry.storedHash().equals(storedHash) && MessageDigest.isEqual(entry.digest(), digest(password));
    }

    synchronized void remember(String deviceKey, String storedHash, String password) {
        entries.put(deviceKey, new Entry(storedHash, digest(password)));
    }

    private byte[] digest(String password) {
        return Sha256.of(processKey, password.getBytes(StandardCharsets.UTF_8));
    }
}
