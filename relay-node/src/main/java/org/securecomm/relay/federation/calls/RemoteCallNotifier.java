package org.securecomm.relay.federation.calls;

import java.time.Clock;
import java.time.Duration;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.federation.v1.DevicePush;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.relay.call.CallPushes;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.federation.FederationQueues;
import org.securecomm.relay.federation.outbound.EnqueueReply;
import org.securecomm.relay.session.DeviceMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call room's pushes for devices of other clusters: queued, in order, to their cluster, and
 * dropped unapplied when they could not be delivered within the call-push time to live (a ring
 * that arrives an hour late is worse than none). Probes stay home: the other cluster reports a lost
 * connection itself.
 */
public final class RemoteCallNotifier implements CallRoom.Notifier {

    private static final Logger log = LoggerFactory.getLogger(RemoteCallNotifier.class);

    private final FederationQueues queues;
    private final Duration ttl;
    private final Clock clock;

    public RemoteCallNotifier(FederationQueues queues, Duration ttl, Clock clock) {
        this.queues = queues;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public void notify(String address, int deviceId, DeviceMessage message) {
        if (message instanceof DeviceMessage.CallProbe) {
            return;
        }
        Pdu pdu = Pdu.newBuilder().setExpiresAtMillis(clock.millis() + ttl.toMillis())
                .setDevicePush(DevicePush.newBuilder().setAddress(address).setDeviceId(deviceId).setPush(CallPushes.push(message)))
                .build();
        String domain = Address.parse(address).domain();
        queues.enqueue(domain, pdu, Duration.ZERO).whenComplete((reply, failure) -> {
            if (failure != null || reply instanceof EnqueueReply.QueueFull) {
                log.warn("a call push for {} could not be queued: {}", domain, failure == null ? "queue full" : failure.toString());
            }
        });
    }
}
