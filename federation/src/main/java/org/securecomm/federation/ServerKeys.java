package org.securecomm.federation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.securecomm.protocol.federation.v1.ServerKey;

/**
 * This cluster's key ring: the key that signs now, and the public halves of the keys it replaced.
 * Older keys stay published until they expire because peers may still hold requests (queued,
 * retried) signed with them; their private halves are no longer needed. Immutable: rotation returns
 * a new ring, so a holder can swap it atomically.
 */
public final class ServerKeys {

    private final ServerKeyPair current;
    private final List<ServerKey> older;

    public ServerKeys(ServerKeyPair current, List<ServerKey> older) {
        this.current = Objects.requireNonNull(current, "current");
        this.older = List.copyOf(older);
        for (ServerKey key : this.older) {
            if (key.getKeyId().equals(current.keyId())) {
                throw new IllegalArgumentException("key id " + current.keyId() + " is both current and older");
            }
        }
    }

    public ServerKeys(ServerKeyPair current) {
        this(current, List.of());
    }

    /** The key that signs requests and descriptions. */
    public ServerKeyPair current() {
        return current;
    }

    /** The public halves of the replaced keys, expired ones included (see {@link #published}). */
    public List<ServerKey> older() {
        return older;
    }

    /** What the well-known description lists at {@code now}: the current key first, then the older keys not yet expired. */
    public List<ServerKey> published(Instant now) {
        List<ServerKey> keys = new ArrayList<>(1 + older.size());
        keys.add(current.toServerKey());
        long nowMillis = now.toEpochMilli();
        for (ServerKey key : older) {
            if (key.getExpiresAtMillis() > nowMillis) {
                keys.add(key);
            }
        }
        return List.copyOf(keys);
    }

    /**
     * A ring whose current key is {@code next}; the old current key joins the older keys with its own
     * expiry (it keeps verifying until then). The newest older key comes first.
     */
    public ServerKeys rotate(ServerKeyPair next) {
        // A reused id would make peers' caches treat two different keys as one.
        if (next.keyId().equals(current.keyId()) || older.stream().anyMatch(key -> key.getKeyId().equals(next.keyId()))) {
            throw new IllegalArgumentException("the new key needs a key id never used before: " + next.keyId());
        }
        List<ServerKey> keys = new ArrayList<>(1 + older.size());
        keys.add(current.toServerKey());
        keys.addAll(older);
        return new ServerKeys(next, keys);
    }
}
