package org.securecomm.relay.federation.calls;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.DevicePush;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.DeviceSummary;
import org.securecomm.relay.call.CallPushes;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.session.UserSession;

/**
 * Pushes of other clusters' call rooms for devices of this one, delivered like the pushes of local
 * rooms (to connected devices only). A push for every device of an account spares the devices that
 * are in that call through this cluster, so the device that answered does not hear its own ring stop.
 */
public final class LocalCallPushes implements DevicePushes {

    private final ClusterSharding sharding;
    private final AccountManager accounts;
    private final ForeignCallLegs legs;

    public LocalCallPushes(ClusterSharding sharding, AccountManager accounts, ForeignCallLegs legs) {
        this.sharding = sharding;
        this.accounts = accounts;
        this.legs = legs;
    }

    @Override
    public CompletionStage<Void> push(DevicePush push) {
        DeviceMessage message;
        try {
            message = CallPushes.message(push.getPush());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new ApiException(ErrorCode.INVALID_ARGUMENT, e.getMessage()));
        }
        String callId = callId(message);
        if (message instanceof DeviceMessage.CallEnded) {
            legs.ended(callId);
        }
        Address address = Address.parse(push.getAddress());
        return accounts.resolve(address).thenCompose(accountId -> {
            if (push.getDeviceId() != CallRoom.ALL_DEVICES) {
                tell(accountId, push.getDeviceId(), message);
                return CompletableFuture.completedFuture(null);
            }
            return accounts.devices(accountId).thenAccept(devices -> {
                for (DeviceSummary device : devices.devices()) {
                    boolean spared = message instanceof DeviceMessage.CallRingingStopped && legs.inCall(callId, accountId, device.id());
                    if (!spared) {
                        tell(accountId, device.id(), message);
                    }
                }
            });
        });
    }

    private void tell(String accountId, int deviceId, DeviceMessage message) {
        sharding.entityRefFor(UserSession.TYPE_KEY, accountId).tell(new UserSession.Notify(deviceId, message));
    }

    private static String callId(DeviceMessage message) {
        if (message instanceof DeviceMessage.IncomingCall m) {
            return m.callId();
        } else if (message instanceof DeviceMessage.CallRingingStopped m) {
            return m.callId();
        } else if (message instanceof DeviceMessage.CallUnanswered m) {
            return m.callId();
        } else if (message instanceof DeviceMessage.CallParticipants m) {
            return m.callId();
        } else if (message instanceof DeviceMessage.CallEnded m) {
            return m.callId();
        } else if (message instanceof DeviceMessage.CallSignal m) {
            return m.callId();
        }
        throw new ApiException(ErrorCode.INVALID_ARGUMENT, "not a call push");
    }
}
