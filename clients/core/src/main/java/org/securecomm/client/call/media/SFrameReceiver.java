package org.securecomm.client.call.media;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The receiving side for ONE remote sender (the transport tells which sender a frame is from): its keys looked up by
 * KID, each with its own replay window. The key with the highest KID is current; when a newer key arrives, older
 * ones stay usable for a grace period (default 2 s) so frames in flight at the switch still decrypt, then are
 * forgotten. A frame with an unknown or expired KID fails with {@link SFrameException.Reason#UNKNOWN_KEY_ID}: the
 * caller asks the sender for its current key (resync). Thread-safe.
 */
public final class SFrameReceiver {

    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);
    public static final int DEFAULT_REPLAY_WINDOW = 256;

    private final SFrameCipherSuite suite;
    private final Duration grace;
    private final int replayWindow;
    private final InstantSource clock;
    private final Map<Long, Entry> keys = new HashMap<>();
    private long currentKid;

    private static final class Entry {
        final SenderKey senderKey;
        final SFrameKey key;
        final ReplayWindow window;
        Instant expiresAt;

        Entry(SenderKey senderKey, SFrameKey key, ReplayWindow window, Instant expiresAt) {
            this.senderKey = senderKey;
            this.key = key;
            this.window = window;
            this.expiresAt = expiresAt;
        }
    }

    public SFrameReceiver(SFrameCipherSuite suite, Duration grace, int replayWindow, InstantSource clock) {
        new ReplayWindow(replayWindow); // validates the size early
        this.suite = suite;
        this.grace = grace;
        this.replayWindow = replayWindow;
        this.clock = clock;
    }

    public SFrameReceiver(SFrameCipherSuite suite) {
        this(suite, DEFAULT_GRACE, DEFAULT_REPLAY_WINDOW, InstantSource.system());
    }

    /**
     * Adds a key of this sender. A newer KID becomes current and starts the grace period of all older keys; an older
     * KID (a late resync answer) is kept only for the grace period. Receiving the same key again changes nothing.
     */
    public synchronized void addKey(SenderKey senderKey) {
        long kid = senderKey.kid();
        Entry known = keys.get(kid);
        if (known != null && known.senderKey.equals(senderKey)) {
            return;
        }
        Instant now = clock.instant();
        boolean newest = keys.isEmpty() || Long.compareUnsigned(kid, currentKid) >= 0;
        if (newest) {
            for (Entry older : keys.values()) {
                if (older.expiresAt == null) {
                    older.expiresAt = now.plus(grace);
                }
            }
            currentKid = kid;
        }
        SFrameKey key = SFrameKey.derive(suite, kid, senderKey.baseKey());
        keys.put(kid, new Entry(senderKey, key, new ReplayWindow(replayWindow), newest ? null : now.plus(grace)));
    }

    public byte[] decrypt(byte[] frame) throws SFrameException {
        return decrypt(new byte[0], frame);
    }

    /** Decrypts one SFrame ciphertext; on any exception the frame must be discarded. */
    public synchronized byte[] decrypt(byte[] metadata, byte[] frame) throws SFrameException {
        SFrameHeader header = SFrameHeader.decode(frame);
        Entry entry = liveEntry(header.kid());
        if (entry == null) {
            throw new SFrameException(SFrameException.Reason.UNKNOWN_KEY_ID, header.kid(),
                    "no key for KID " + Long.toUnsignedString(header.kid()) + ": ask the sender for its key");
        }
        if (!entry.window.isFresh(header.ctr())) {
            throw new SFrameException(SFrameException.Reason.REPLAYED, header.kid(), "replayed or too old SFrame counter");
        }
        byte[] plaintext = entry.key.decrypt(header, metadata, frame);
        entry.window.accept(header.ctr());
        return plaintext;
    }

    /** The KIDs that currently decrypt (current key and those still in their grace period), ascending. */
    public synchronized Set<Long> keyIds() {
        Instant now = clock.instant();
        keys.values().removeIf(e -> expired(e, now));
        return new TreeSet<>(keys.keySet());
    }

    private Entry liveEntry(long kid) {
        Entry entry = keys.get(kid);
        if (entry != null && expired(entry, clock.instant())) {
            keys.remove(kid);
            return null;
        }
        return entry;
    }

    private static boolean expired(Entry entry, Instant now) {
        return entry.expiresAt != null && !now.isBefore(entry.expiresAt);
    }
}
