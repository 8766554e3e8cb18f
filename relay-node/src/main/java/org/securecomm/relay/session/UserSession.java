package org.securecomm.relay.session;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.securecomm.relay.CborSerializable;
import org.securecomm.relay.mailbox.Mailbox;

/**
 * Which devices of one account are connected right now, and through which connection actor
 * (on whichever node accepted the WebSocket). Soft state, never persisted: reconnecting devices
 * rebuild it. It attaches each connection to its device's Mailbox and relays notifications.
 */
public final class UserSession extends AbstractBehavior<UserSession.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "UserSession");

    public sealed interface Command extends CborSerializable {
    }

    /**
     * {@code connection} receives pushes; {@code owner} is the connection actor itself, watched so
     * that a connection lost with its node is forgotten.
     */
    public record Connect(int deviceId, ActorRef<DeviceMessage> connection, ActorRef<?> owner) implements Command {
    }

    public record Disconnect(int deviceId, ActorRef<DeviceMessage> connection) implements Command {
    }

    public record Notify(int deviceId, DeviceMessage message) implements Command {
    }

    public record GetConnectedDevices(ActorRef<ConnectedDevices> replyTo) implements Command {
    }

    public record ConnectedDevices(Set<Integer> deviceIds) implements CborSerializable {
    }

    private record OwnerTerminated(int deviceId, ActorRef<DeviceMessage> connection) implements Command {
    }

    private enum Idle implements Command { INSTANCE }

    /** A session that only relayed a notification to nobody goes away after this long. */
    private static final java.time.Duration IDLE_TIMEOUT = java.time.Duration.ofMinutes(2);

    public static Behavior<Command> create(String accountId, ActorRef<ClusterSharding.ShardCommand> shard, ClusterSharding sharding) {
        return Behaviors.setup(context -> new UserSession(context, accountId, shard, sharding));
    }

    private final String accountId;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final ClusterSharding sharding;
    private final Map<Integer, Connected> devices = new HashMap<>();

    private record Connected(ActorRef<DeviceMessage> connection, ActorRef<?> owner) {
    }

    private UserSession(ActorContext<Command> context, String accountId, ActorRef<ClusterSharding.ShardCommand> shard,
                        ClusterSharding sharding) {
        super(context);
        this.accountId = accountId;
        this.shard = shard;
        this.sharding = sharding;
        context.setReceiveTimeout(IDLE_TIMEOUT, Idle.INSTANCE);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Connect.class, this::onConnect)
                .onMessage(Disconnect.class, m -> forget(m.deviceId(), m.connection()))
                .onMessage(OwnerTerminated.class, m -> forget(m.deviceId(), m.connection()))
                .onMessage(Notify.class, m -> {
                    Connected connected = devices.get(m.deviceId());
                    if (connected != null) {
                        connected.connection().tell(m.message());
                    }
                    return this;
                })
                .onMessage(Idle.class, m -> {
                    if (devices.isEmpty()) {
                        shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
                    }
                    return this;
                })
                .onMessage(GetConnectedDevices.class, m -> {
                    m.replyTo().tell(new ConnectedDevices(new TreeSet<>(devices.keySet())));
                    return this;
                })
                .build();
    }

    /** Idempotent: a connection connects again when its mailbox or this session moved (see {@link DeviceMessage.Linked}). */
    private Behavior<Command> onConnect(Connect connect) {
        Connected previous = devices.put(connect.deviceId(), new Connected(connect.connection(), connect.owner()));
        if (previous != null) {
            getContext().unwatch(previous.owner());
            if (!previous.connection().equals(connect.connection())) {
                previous.connection().tell(new DeviceMessage.Replaced());
            }
        }
        getContext().watchWith(connect.owner(), new OwnerTerminated(connect.deviceId(), connect.connection()));
        connect.connection().tell(new DeviceMessage.Linked(getContext().getSelf(), DeviceMessage.LinkKind.SESSION));
        mailbox(connect.deviceId()).tell(new Mailbox.Attach(connect.connection()));
        return this;
    }

    private Behavior<Command> forget(int deviceId, ActorRef<DeviceMessage> connection) {
        Connected current = devices.get(deviceId);
        if (current != null && current.connection().equals(connection)) {
            devices.remove(deviceId);
            getContext().unwatch(current.owner());
            mailbox(deviceId).tell(new Mailbox.Detach(connection));
            if (devices.isEmpty()) {
                shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
            }
        }
        return this;
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Mailbox.Command> mailbox(int deviceId) {
        return sharding.entityRefFor(Mailbox.TYPE_KEY, Mailbox.entityId(accountId, deviceId));
    }
}
