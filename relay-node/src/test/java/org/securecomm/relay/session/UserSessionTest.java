package org.securecomm.relay.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.account.KeyStock;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.mailbox.StoredEnvelope;
import org.securecomm.relay.support.QuietMailboxListener;
import org.securecomm.relay.support.TestKits;

/** The UserSession entity: attaches connections to mailboxes, replaces, relays, forgets. */
class UserSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static ActorTestKit testKit;
    private static ClusterSharding sharding;

    @BeforeAll
    static void start() {
        testKit = TestKits.withCassandra("UserSessionTest");
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        sharding = ClusterSharding.get(testKit.system());
        Mailbox.Listener quiet = new QuietMailboxListener();
        sharding.init(Entity.of(Mailbox.TYPE_KEY, ctx -> Mailbox.create(ctx.getEntityId(), ctx.getShard(),
                new Mailbox.Settings(100, 1_000_000, Duration.ofDays(1), 10, Duration.ofMinutes(1), Duration.ofHours(1), 100),
                quiet, Clock.systemUTC())));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void attachesReplacesRelaysAndForgets() {
        String accountId = UUID.randomUUID().toString();
        TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
        ActorRef<UserSession.Command> session = testKit.spawn(UserSession.create(accountId, shard.ref(), sharding));

        TestProbe<DeviceMessage> phone = testKit.createTestProbe();
        ActorRef<Void> phoneOwner = testKit.spawn(Behaviors.empty());
        session.tell(new UserSession.Connect(1, phone.ref(), phoneOwner));
        assertEquals(new DeviceMessage.Linked(session, DeviceMessage.LinkKind.SESSION), phone.receiveMessage(WAIT), "the connection learns which session to watch");
        assertInstanceOf(DeviceMessage.Linked.class, phone.receiveMessage(WAIT), "and which mailbox");
        assertEquals(new DeviceMessage.QueueEmpty(), phone.receiveMessage(WAIT), "attached to its mailbox");

        // Connecting again with the same connection (after its mailbox moved) re-attaches, replaces nothing.
        session.tell(new UserSession.Connect(1, phone.ref(), phoneOwner));
        assertEquals(new DeviceMessage.Linked(session, DeviceMessage.LinkKind.SESSION), phone.receiveMessage(WAIT));
        assertInstanceOf(DeviceMessage.Linked.class, phone.receiveMessage(WAIT));
        assertEquals(new DeviceMessage.QueueEmpty(), phone.receiveMessage(WAIT));

        // A mailbox anywhere in the cluster now pushes to this connection.
        StoredEnvelope envelope = new StoredEnvelope(UUID.randomUUID(), "x@relay.test", 1, 4, 0, 0, new byte[] {1}, false);
        TestProbe<Mailbox.EnqueueResult> accepted = testKit.createTestProbe();
        sharding.entityRefFor(Mailbox.TYPE_KEY, Mailbox.entityId(accountId, 1)).tell(new Mailbox.Enqueue(envelope, accepted.ref()));
        assertEquals(envelope.id(), ((DeviceMessage.Deliver) phone.receiveMessage(WAIT)).envelope().id());

        // The same device connects again: the old connection is told to close.
        TestProbe<DeviceMessage> phoneAgain = testKit.createTestProbe();
        ActorRef<Void> phoneAgainOwner = testKit.spawn(Behaviors.empty());
        session.tell(new UserSession.Connect(1, phoneAgain.ref(), phoneAgainOwner));
        phone.expectMessage(WAIT, new DeviceMessage.Replaced());
        assertEquals(new DeviceMessage.Linked(session, DeviceMessage.LinkKind.SESSION), phoneAgain.receiveMessage(WAIT));
        assertInstanceOf(DeviceMessage.Linked.class, phoneAgain.receiveMessage(WAIT));
        assertEquals(envelope.id(), ((DeviceMessage.Deliver) phoneAgain.receiveMessage(WAIT)).envelope().id(), "redelivered until acknowledged");

        KeyStock low = new KeyStock(1, 1, true, true);
        session.tell(new UserSession.Notify(1, new DeviceMessage.KeyStockLow(low)));
        session.tell(new UserSession.Notify(7, new DeviceMessage.KeyStockLow(low))); // not connected: dropped
        phoneAgain.fishForMessage(WAIT, m -> m.equals(new DeviceMessage.KeyStockLow(low))
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());

        TestProbe<UserSession.ConnectedDevices> devices = testKit.createTestProbe();
        session.tell(new UserSession.GetConnectedDevices(devices.ref()));
        assertEquals(Set.of(1), devices.receiveMessage(WAIT).deviceIds());

        // The connection actor dies (its node crashed): the session forgets it and passivates.
        testKit.stop(phoneAgainOwner);
        shard.expectMessageClass(ClusterSharding.Passivate.class, WAIT);
        session.tell(new UserSession.GetConnectedDevices(devices.ref()));
        assertEquals(Set.of(), devices.receiveMessage(WAIT).deviceIds());
    }
}
