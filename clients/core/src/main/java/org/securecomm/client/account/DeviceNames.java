package org.securecomm.client.account;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import org.securecomm.client.crypto.SealedDataException;
import org.securecomm.client.crypto.Vault;
import org.securecomm.protocol.content.v1.DeviceName;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.kdf.HKDF;

/**
 * Device names travel to the relay sealed under a key derived from the account's identity
 * private key, which every device of the account holds and the relay never sees.
 */
public final class DeviceNames {

    private static final byte[] INFO = "securecomm/device-name/v1".getBytes(StandardCharsets.UTF_8);

    private DeviceNames() {
    }

    public static ByteString seal(IdentityKeyPair identity, String name) {
        return ByteString.copyFrom(vault(identity).seal("device-name", DeviceName.newBuilder().setName(name).build().toByteArray()));
    }

    /** The name, or a placeholder when it was not sealed by this account (or not at all). */
    public static String open(IdentityKeyPair identity, ByteString sealed) {
        if (sealed.isEmpty()) {
            return "";
        }
        try {
            return DeviceName.parseFrom(vault(identity).open("device-name", sealed.toByteArray())).getName();
        } catch (SealedDataException | InvalidProtocolBufferException e) {
            return "(unreadable name)";
        }
    }

    private static Vault vault(IdentityKeyPair identity) {
        return new Vault(HKDF.deriveSecrets(identity.getPrivateKey().serialize(), INFO, 32));
    }
}
