package org.securecomm.relay.account;

import org.securecomm.relay.CborSerializable;

/** How many keys a device still has on the relay, so it knows when to upload more. */
public record KeyStock(int oneTimePreKeys, int kyberPreKeys, boolean signedPreKey, boolean lastResortKyberPreKey)
        implements CborSerializable {

    public boolean isBelow(int threshold) {
        return oneTimePreKeys < threshold || kyberPreKeys < threshold || !signedPreKey || !lastResortKyberPreKey;
    }
}
