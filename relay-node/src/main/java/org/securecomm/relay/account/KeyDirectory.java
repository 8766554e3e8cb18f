package org.securecomm.relay.account;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import com.google.protobuf.ByteString;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.EcPreKey;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.PreKeyBundles;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.Asks;

/**
 * Public prekeys for PQXDH: devices upload them, other devices claim one bundle per device. The
 * claim itself happens inside the Account entity, one command at a time, so each one-time key is
 * handed out once.
 */
public final class KeyDirectory {

    /** Per upload; the Account entity caps what it stores in total. */
    public static final int MAX_KEYS_PER_UPLOAD = 100;
    private static final int MAX_PUBLIC_KEY_BYTES = 2048; // Kyber-1024 public keys are 1,569 bytes
    private static final int MAX_SIGNATURE_BYTES = 128;

    /** Prekey bundles of accounts of other clusters, fetched from them (federation). */
    public interface RemoteKeys {
        CompletionStage<PreKeyBundles> claim(AuthenticatedDevice requester, Address address, int deviceId);
    }

    private final ClusterSharding sharding;
    private final AccountManager accounts;
    private final Duration askTimeout;
    private final RemoteKeys remote;

    /** @param remote null when this cluster does not federate: other domains are refused */
    public KeyDirectory(ClusterSharding sharding, AccountManager accounts, Duration askTimeout, RemoteKeys remote) {
        this.sharding = sharding;
        this.accounts = accounts;
        this.askTimeout = askTimeout;
        this.remote = remote;
    }

    public CompletionStage<KeyStock> upload(AuthenticatedDevice device, byte[] identityKey, SignedPreKey signedPreKey,
                                            List<PreKey> oneTimePreKeys, List<SignedPreKey> kyberPreKeys,
                                            SignedPreKey lastResortKyberPreKey) {
        if (oneTimePreKeys.size() > MAX_KEYS_PER_UPLOAD || kyberPreKeys.size() > MAX_KEYS_PER_UPLOAD) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "at most " + MAX_KEYS_PER_UPLOAD + " one-time keys of each kind per upload");
        }
        check(signedPreKey);
        check(lastResortKyberPreKey);
        oneTimePreKeys.forEach(k -> checkPublicKey(k.publicKey()));
        kyberPreKeys.forEach(KeyDirectory::check);
        return Asks.plain(sharding.entityRefFor(Account.TYPE_KEY, device.accountId())
                .<Account.UploadResult>ask(replyTo -> new Account.UploadKeys(device.deviceId(), identityKey, signedPreKey,
                        oneTimePreKeys, kyberPreKeys, lastResortKyberPreKey, replyTo), askTimeout))
                .thenApply(result -> {
                    if (result instanceof Account.KeysStored stored) {
                        return stored.stock();
                    }
                    Account.UploadRejected rejected = (Account.UploadRejected) result;
                    throw new ApiException(switch (rejected.reason()) {
                        case UNKNOWN_DEVICE -> ErrorCode.UNKNOWN_DEVICE;
                        case IDENTITY_KEY_MISMATCH -> ErrorCode.IDENTITY_KEY_MISMATCH;
                        case TOO_MANY_KEYS -> ErrorCode.INVALID_ARGUMENT;
                    }, rejected.message());
                });
    }

    /**
     * A device's request for the bundles of an address, of this cluster or (through its home
     * relay, never directly) of another one.
     */
    public CompletionStage<PreKeyBundles> bundles(AuthenticatedDevice requester, String addressText, int deviceId) {
        Address address = AccountManager.parseAddress(addressText);
        if (accounts.isLocal(address)) {
            return claimBundles(address.toString(), deviceId).thenApply(bundles -> toMessage(address, bundles));
        }
        if (remote == null) {
            throw new ApiException(ErrorCode.FEDERATION_REFUSED, address + " is served by another cluster and this relay does not federate");
        }
        if (deviceId < 0) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "device_id must not be negative");
        }
        return remote.claim(requester, address, deviceId);
    }

    /** Bundles of a local address for another cluster's device. */
    public CompletionStage<PreKeyBundles> localBundles(Address address, int deviceId) {
        return claimBundles(address.toString(), deviceId).thenApply(bundles -> toMessage(address, bundles));
    }

    /** Claims a bundle for one device of the address, or for each of its devices (deviceId 0). */
    public CompletionStage<Account.Bundles> claimBundles(String address, int deviceId) {
        if (deviceId < 0) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "device_id must not be negative");
        }
        return accounts.resolve(address).thenCompose(accountId -> Asks.plain(sharding.entityRefFor(Account.TYPE_KEY, accountId)
                .<Account.ClaimResult>ask(replyTo -> new Account.ClaimPreKeys(deviceId, replyTo), askTimeout))
                .thenApply(result -> {
                    if (result instanceof Account.Bundles bundles) {
                        return bundles;
                    }
                    throw new ApiException(ErrorCode.UNKNOWN_DEVICE, ((Account.NoBundle) result).reason());
                }));
    }

    static PreKeyBundles toMessage(Address address, Account.Bundles bundles) {
        PreKeyBundles.Builder reply = PreKeyBundles.newBuilder()
                .setAddress(address.toString())
                .setIdentityKey(ByteString.copyFrom(bundles.identityKey()));
        for (Account.Bundle bundle : bundles.bundles()) {
            DevicePreKeyBundle.Builder device = DevicePreKeyBundle.newBuilder()
                    .setDeviceId(bundle.deviceId())
                    .setRegistrationId(bundle.registrationId())
                    .setSignedPreKey(bundle.signedPreKey().toMessage())
                    .setKyberPreKey(bundle.kyberPreKey().toMessage());
            if (bundle.oneTimePreKey() != null) {
                device.setOneTimePreKey(EcPreKey.newBuilder().setKeyId(bundle.oneTimePreKey().keyId())
                        .setPublicKey(ByteString.copyFrom(bundle.oneTimePreKey().publicKey())));
            }
            reply.addDevices(device);
        }
        return reply.build();
    }

    private static void check(SignedPreKey key) {
        if (key != null) {
            checkPublicKey(key.publicKey());
            if (key.signature().length == 0 || key.signature().length > MAX_SIGNATURE_BYTES) {
                throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a prekey signature is 1 to " + MAX_SIGNATURE_BYTES + " bytes");
            }
        }
    }

    private static void checkPublicKey(byte[] publicKey) {
        if (publicKey.length == 0 || publicKey.length > MAX_PUBLIC_KEY_BYTES) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a public key is 1 to " + MAX_PUBLIC_KEY_BYTES + " bytes");
        }
    }
}
