package org.securecomm.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.account.Account;
import org.securecomm.relay.account.IdentifierRegistration;
import org.securecomm.relay.account.Username;
import org.securecomm.relay.support.TestKits;

/** The operator actions are events: they survive the entities' restart (real Cassandra journal). */
class AdminAccountEventsTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = TestKits.withCassandra("AdminAccountEventsTest");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <C, T> T ask(ActorRef<C> entity, Function<ActorRef<T>, C> command) {
        TestProbe<T> probe = testKit.createTestProbe();
        entity.tell(command.apply(probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    private static <C> ActorRef<C> restart(ActorRef<C> entity, Behavior<C> behavior) {
        testKit.stop(entity);
        return testKit.spawn(behavior);
    }

    @Test
    void disableEnableAndDeleteAreRecovered() {
        String id = UUID.randomUUID().toString();
        Account.Settings settings = new Account.Settings(3, 20, 3);
        ActorRef<Account.Command> account = testKit.spawn(Account.create(id, settings, (a, d, s) -> { }));
        ask(account, (ActorRef<Account.Created> r) -> new Account.Create("rita", 11, new byte[] {5, 1}, "h", new byte[] {1}, 1000L, r));
        ask(account, (ActorRef<Account.LinkResult> r) -> new Account.LinkDevice(12, "h2", new byte[] {1}, 2000L, r));

        Account.AdminResult disabled = ask(account, (ActorRef<Account.AdminResult> r) -> new Account.SetDisabled(true, 3000L, r));
        assertEquals(new Account.AdminResult("rita", List.of(1, 2), false), disabled);
        account = restart(account, Account.create(id, settings, (a, d, s) -> { }));
        Account.Devices devices = ask(account, Account.GetDevices::new);
        assertTrue(devices.disabled(), "disabled after recovery");
        // Re-registration keeps the account disabled.
        ask(account, (ActorRef<Account.Created> r) -> new Account.Create("rita", 13, new byte[] {5, 2}, "h3", new byte[] {1}, 3500L, r));
        assertTrue(ask(account, Account.GetDevices::new).disabled());

        ask(account, (ActorRef<Account.AdminResult> r) -> new Account.SetDisabled(false, 4000L, r));
        account = restart(account, Account.create(id, settings, (a, d, s) -> { }));
        assertFalse(ask(account, Account.GetDevices::new).disabled());

        Account.AdminResult deleted = ask(account, (ActorRef<Account.AdminResult> r) -> new Account.Delete(5000L, r));
        assertEquals("rita", deleted.username());
        account = restart(account, Account.create(id, settings, (a, d, s) -> { }));
        Account.Devices gone = ask(account, Account.GetDevices::new);
        assertFalse(gone.exists());
        assertTrue(gone.devices().isEmpty());
        assertFalse(ask(account, (ActorRef<Account.AdminResult> r) -> new Account.Delete(6000L, r)).existed());
    }

    @Test
    void releasedUsernamesAndIdentifiersStayFree() {
        String name = "sam" + Long.toString(System.nanoTime(), 36);
        String owner = UUID.randomUUID().toString();
        ActorRef<Username.Command> username = testKit.spawn(Username.create(name));
        assertTrue(ask(username, (ActorRef<Username.ClaimResult> r) -> new Username.Claim(owner, r)).granted());
        assertFalse(ask(username, (ActorRef<Username.ClaimResult> r) -> new Username.Release("someone-else", r)).granted(),
                "only the owner's deletion frees it");
        assertTrue(ask(username, (ActorRef<Username.ClaimResult> r) -> new Username.Release(owner, r)).granted());
        username = restart(username, Username.create(name));
        assertNull(ask(username, Username.Resolve::new).accountId());
        assertTrue(ask(username, (ActorRef<Username.ClaimResult> r) -> new Username.Claim(UUID.randomUUID().toString(), r)).granted());

        String key = "test-" + UUID.randomUUID();
        IdentifierRegistration.Settings settings = new IdentifierRegistration.Settings(60_000, 30_000, 3);
        ActorRef<IdentifierRegistration.Command> registration = testKit.spawn(IdentifierRegistration.create(key, settings));
        ask(registration, (ActorRef<IdentifierRegistration.Bound> r) -> new IdentifierRegistration.Bind(owner, r));
        assertEquals(owner, ask(registration, (ActorRef<IdentifierRegistration.Owner> r) ->
                new IdentifierRegistration.Release(owner, r)).accountId());
        registration = restart(registration, IdentifierRegistration.create(key, settings));
        assertNull(ask(registration, IdentifierRegistration.Lookup::new).accountId());
    }
}
