package org.securecomm.relay.session;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.securecomm.relay.CborSerializable;

/**
 * A device-linking channel, keyed by a random id: forwards opaque, end-to-end encrypted bodies
 * from an existing device to the new device's (unauthenticated) connection. Soft state; it
 * closes when that connection ends or after its lifetime.
 */
public final class ProvisioningChannel extends AbstractBehavior<ProvisioningChannel.Command> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "ProvisioningChannel");
    public static final Duration LIFETIME = Duration.ofMinutes(10);

    public sealed interface Command extends CborSerializable {
    }

    public record Open(ActorRef<DeviceMessage> connection, ActorRef<?> owner, ActorRef<Boolean> replyTo) implements Command {
    }

    public record Forward(byte[] body, ActorRef<Boolean> replyTo) implements Command {
    }

    private enum Close implements Command { INSTANCE }

    public static Behavior<Command> create(String channelId, ActorRef<ClusterSharding.ShardCommand> shard) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startSingleTimer(Close.INSTANCE, LIFETIME);
            return new ProvisioningChannel(context, channelId, shard);
        }));
    }

    private final String channelId;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private ActorRef<DeviceMessage> connection;
    private boolean closed;

    private ProvisioningChannel(ActorContext<Command> context, String channelId, ActorRef<ClusterSharding.ShardCommand> shard) {
        super(context);
        this.channelId = channelId;
        this.shard = shard;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Open.class, open -> {
                    boolean fresh = connection == null && !closed;
                    if (fresh) {
                        connection = open.connection();
                        getContext().watchWith(open.owner(), Close.INSTANCE);
                    }
                    open.replyTo().tell(fresh);
                    return this;
                })
                .onMessage(Forward.class, forward -> {
                    if (connection != null) {
                        connection.tell(new DeviceMessage.Provisioning(channelId, forward.body()));
                    }
                    forward.replyTo().tell(connection != null);
                    return this;
                })
                .onMessage(Close.class, close -> {
                    connection = null;
                    closed = true;
                    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
                    return this;
                })
                .build();
    }
}
