package org.securecomm.relay.account;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.securecomm.protocol.FrameLimits;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.Asks;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.session.ProvisioningChannel;

/**
 * The relay's part of linking a device: a channel the new device opens and the existing device
 * writes to. Bodies are end-to-end encrypted by the two devices; the relay only forwards them.
 */
public final class DeviceLinking {

    private final ClusterSharding sharding;
    private final Duration askTimeout;
    private final SecureRandom random = new SecureRandom();

    public DeviceLinking(ClusterSharding sharding, Duration askTimeout) {
        this.sharding = sharding;
        this.askTimeout = askTimeout;
    }

    /** Opens a channel that pushes to {@code connection}; answers its id (128 random bits). */
    public CompletionStage<String> open(ActorRef<DeviceMessage> connection, ActorRef<?> owner) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        String channelId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        return Asks.plain(sharding.entityRefFor(ProvisioningChannel.TYPE_KEY, channelId)
                .<Boolean>ask(replyTo -> new ProvisioningChannel.Open(connection, owner, replyTo), askTimeout))
                .thenApply(opened -> {
                    if (!opened) {
                        throw new ApiException(ErrorCode.INTERNAL_ERROR, "could not open a provisioning channel: retry");
                    }
                    return channelId;
                });
    }

    public CompletionStage<Void> send(String channelId, byte[] body) {
        if (body.length == 0 || body.length > FrameLimits.MAX_PROVISIONING_BODY) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a provisioning body is 1 to " + FrameLimits.MAX_PROVISIONING_BODY + " bytes");
        }
        if (channelId.isEmpty() || channelId.length() > 64) {
            throw new ApiException(ErrorCode.UNKNOWN_PROVISIONING_CHANNEL, "no such provisioning channel");
        }
        return Asks.plain(sharding.entityRefFor(ProvisioningChannel.TYPE_KEY, channelId)
                .<Boolean>ask(replyTo -> new ProvisioningChannel.Forward(body, replyTo), askTimeout))
                .thenApply(delivered -> {
                    if (!delivered) {
                        throw new ApiException(ErrorCode.UNKNOWN_PROVISIONING_CHANNEL, "the provisioning channel is closed or expired");
                    }
                    return null;
                });
    }
}
