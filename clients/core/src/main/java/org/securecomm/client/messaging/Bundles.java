package org.securecomm.client.messaging;

import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.PreKeyBundles;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.kem.KEMPublicKey;
import org.signal.libsignal.protocol.state.PreKeyBundle;

/** The relay's prekey bundles as libsignal's; libsignal verifies the signatures when processing them. */
public final class Bundles {

    private Bundles() {
    }

    public static PreKeyBundle toLibsignal(PreKeyBundles bundles, DevicePreKeyBundle device) throws InvalidKeyException {
        IdentityKey identity = new IdentityKey(bundles.getIdentityKey().toByteArray());
        boolean hasOneTime = device.hasOneTimePreKey();
        return new PreKeyBundle(device.getRegistrationId(), device.getDeviceId(),
                hasOneTime ? device.getOneTimePreKey().getKeyId() : PreKeyBundle.NULL_PRE_KEY_ID,
                hasOneTime ? new ECPublicKey(device.getOneTimePreKey().getPublicKey().toByteArray()) : null,
                device.getSignedPreKey().getKeyId(), new ECPublicKey(device.getSignedPreKey().getPublicKey().toByteArray()),
                device.getSignedPreKey().getSignature().toByteArray(), identity,
                device.getKyberPreKey().getKeyId(), new KEMPublicKey(device.getKyberPreKey().getPublicKey().toByteArray()),
                device.getKyberPreKey().getSignature().toByteArray());
    }
}
