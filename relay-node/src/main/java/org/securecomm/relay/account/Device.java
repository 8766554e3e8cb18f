package org.securecomm.relay.account;

import java.util.ArrayList;
import java.util.List;

/**
 * One device of an account as the relay sees it: credentials as an Argon2id hash, and the public
 * keys other devices need to open a libsignal session with it.
 */
public record Device(
        int id,
        int registrationId,
        String passwordHash,
        long createdAtMillis,
        byte[] encryptedName,
        SignedPreKey signedPreKey,
        List<PreKey> oneTimePreKeys,
        List<SignedPreKey> kyberPreKeys,
        SignedPreKey lastResortKyberPreKey) {

    public Device {
        oneTimePreKeys = List.copyOf(oneTimePreKeys);
        kyberPreKeys = List.copyOf(kyberPreKeys);
    }

    static Device fresh(int id, int registrationId, String passwordHash, long createdAtMillis, byte[] encryptedName) {
        return new Device(id, registrationId, passwordHash, createdAtMillis, encryptedName, null, List.of(), List.of(), null);
    }

    KeyStock keyStock() {
        return new KeyStock(oneTimePreKeys.size(), kyberPreKeys.size(), signedPreKey != null, lastResortKyberPreKey != null);
    }

    /** New one-time keys are appended; a key id already stored is replaced, not duplicated. */
    Device withUploadedKeys(SignedPreKey signed, List<PreKey> oneTime, List<SignedPreKey> kyber, SignedPreKey lastResort) {
        return new Device(id, registrationId, passwordHash, createdAtMillis, encryptedName,
                signed != null ? signed : signedPreKey,
                merge(oneTimePreKeys, oneTime, PreKey::keyId),
                merge(kyberPreKeys, kyber, SignedPreKey::keyId),
                lastResort != null ? lastResort : lastResortKyberPreKey);
    }

    Device withoutClaimed(Integer oneTimeKeyId, Integer kyberKeyId) {
        return new Device(id, registrationId, passwordHash, createdAtMillis, encryptedName, signedPreKey,
                oneTimeKeyId == null ? oneTimePreKeys : oneTimePreKeys.stream().filter(k -> k.keyId() != oneTimeKeyId).toList(),
                kyberKeyId == null ? kyberPreKeys : kyberPreKeys.stream().filter(k -> k.keyId() != kyberKeyId).toList(),
                lastResortKyberPreKey);
    }

    private static <K> List<K> merge(List<K> stored, List<K> added, java.util.function.ToIntFunction<K> idOf) {
        if (added.isEmpty()) {
            return stored;
        }
        java.util.Set<Integer> addedIds = new java.util.HashSet<>();
        added.forEach(k -> addedIds.add(idOf.applyAsInt(k)));
        List<K> merged = new ArrayList<>(stored.size() + added.size());
        stored.stream().filter(k -> !addedIds.contains(idOf.applyAsInt(k))).forEach(merged::add);
        merged.addAll(added);
        return merged;
    }
}
