package org.securecomm.relay.account;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.support.TestKits;

/** The Account entity on real Cassandra persistence: devices, keys, atomic claims, recovery. */
class AccountTest {

    private static final Account.Settings SETTINGS = new Account.Settings(3, 20, 3);
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = TestKits.withCassandra("AccountTest");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private final List<String> lowStock = new CopyOnWriteArrayList<>();

    private ActorRef<Account.Command> spawn(String accountId) {
        return testKit.spawn(Account.create(accountId, SETTINGS, (account, device, stock) ->
                lowStock.add(account + "/" + device + "/" + stock.oneTimePreKeys())));
    }

    private <T> T ask(ActorRef<Account.Command> account, java.util.function.Function<ActorRef<T>, Account.Command> command) {
        TestProbe<T> probe = testKit.createTestProbe();
        account.tell(command.apply(probe.ref()));
        return probe.receiveMessage(java.time.Duration.ofSeconds(10));
    }

    @Test
    void deviceListsStaySmallEnoughToCrossNodesWhateverKeysAreStored() {
        String id = UUID.randomUUID().toString();
        ActorRef<Account.Command> account = spawn(id);
        byte[] identity = {5, 1, 2, 3};
        this.<Account.Created>ask(account, r -> new Account.Create("nina", 11, identity, "hash-1", new byte[] {1}, 1000L, r));
        this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(12, "hash-2", new byte[] {1}, 2000L, r));
        for (int device = 1; device <= 2; device++) {
            int deviceId = device;
            // Real sizes: ML-KEM-1024 public keys (1,569 bytes) and signatures, the stock's cap of each kind.
            List<PreKey> oneTime = java.util.stream.IntStream.range(0, 20).mapToObj(i -> new PreKey(i, new byte[33])).toList();
            List<SignedPreKey> kyber = java.util.stream.IntStream.range(0, 20)
                    .mapToObj(i -> new SignedPreKey(100 + i, new byte[1569], new byte[64])).toList();
            assertInstanceOf(Account.KeysStored.class, this.<Account.UploadResult>ask(account, r -> new Account.UploadKeys(deviceId,
                    identity, new SignedPreKey(1, new byte[33], new byte[64]), oneTime, kyber, new SignedPreKey(999, new byte[1569], new byte[64]), r)));
        }
        Account.Devices devices = ask(account, Account.GetDevices::new);
        assertEquals(new KeyStock(20, 20, true, true), devices.devices().get(1).keyStock());
        byte[] serialized = org.apache.pekko.serialization.SerializationExtension.get(testKit.system()).serialize(devices).get();
        // Without prekeys: a few hundred bytes per device, not the ~70 KB of keys stored here
        // (with production stocks of 100 keys each, over a cluster frame of 256 KiB).
        assertTrue(serialized.length < 2_000, "a device list of " + serialized.length + " bytes");
    }

    @Test
    void createsLinksDevicesUpToTheLimitAndRecovers() {
        String id = UUID.randomUUID().toString();
        ActorRef<Account.Command> account = spawn(id);
        byte[] identity = {5, 1, 2, 3};
        Account.Created created = this.<Account.Created>ask(account, r -> new Account.Create("olga", 11, identity, "hash-1", new byte[] {1}, 1000L, r));
        assertEquals(new Account.Created("olga", 1), created);
        assertEquals(new Account.Linked(2), this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(12, "hash-2", new byte[] {1}, 2000L, r)));
        assertEquals(new Account.Linked(3), this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(13, "hash-3", new byte[] {1}, 3000L, r)));
        assertInstanceOf(Account.LinkRefused.class, this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(14, "hash-4", new byte[] {1}, 4000L, r)));

        testKit.stop(account);
        Account.Devices recovered = ask(spawn(id), Account.GetDevices::new);
        assertEquals("olga", recovered.username());
        assertEquals(List.of(1, 2, 3), recovered.devices().stream().map(DeviceSummary::id).toList());
        assertEquals("hash-3", recovered.devices().get(2).passwordHash());
    }

    @Test
    void onlyThePrimaryRemovesOthersAndNobodyRemovesThePrimary() {
        String id = UUID.randomUUID().toString();
        ActorRef<Account.Command> account = spawn(id);
        this.<Account.Created>ask(account, r -> new Account.Create("rosa", 11, new byte[] {5, 1}, "h1", new byte[] {1}, 1000L, r));
        this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(12, "h2", new byte[] {2}, 2000L, r));
        this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(13, "h3", new byte[] {3}, 3000L, r));
        assertEquals(Account.RemoveResult.FORBIDDEN, this.<Account.RemoveResult>ask(account, r -> new Account.RemoveDevice(3, 2, r)));
        assertEquals(Account.RemoveResult.FORBIDDEN, this.<Account.RemoveResult>ask(account, r -> new Account.RemoveDevice(1, 1, r)));
        assertEquals(Account.RemoveResult.UNKNOWN_DEVICE, this.<Account.RemoveResult>ask(account, r -> new Account.RemoveDevice(9, 1, r)));
        assertEquals(Account.RemoveResult.REMOVED, this.<Account.RemoveResult>ask(account, r -> new Account.RemoveDevice(3, 3, r)));
        assertEquals(Account.RemoveResult.REMOVED, this.<Account.RemoveResult>ask(account, r -> new Account.RemoveDevice(2, 1, r)));
        testKit.stop(account);
        Account.Devices devices = ask(spawn(id), Account.GetDevices::new);
        assertEquals(List.of(1), devices.devices().stream().map(DeviceSummary::id).toList());
        assertArrayEquals(new byte[] {1}, devices.devices().get(0).encryptedName());
    }

    @Test
    void reRegistrationLeavesOnlyANewPrimaryDevice() {
        String id = UUID.randomUUID().toString();
        ActorRef<Account.Command> account = spawn(id);
        this.<Account.Created>ask(account, r -> new Account.Create("pia", 11, new byte[] {5, 1}, "old", new byte[] {1}, 1000L, r));
        this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(12, "laptop", new byte[] {1}, 2000L, r));
        Account.Created again = this.<Account.Created>ask(account, r -> new Account.Create("ignored", 21, new byte[] {5, 9}, "new", new byte[] {1}, 3000L, r));
        assertEquals(new Account.Created("pia", 1), again);
        Account.Devices devices = ask(account, Account.GetDevices::new);
        assertEquals(1, devices.devices().size());
        assertEquals("new", devices.devices().get(0).passwordHash());
        // Device ids are never reused: the next linked device is 3, not 2.
        assertEquals(new Account.Linked(3), this.<Account.LinkResult>ask(account, r -> new Account.LinkDevice(13, "tablet", new byte[] {1}, 4000L, r)));
    }

    @Test
    void claimsEachOneTimeKeyOnceAndWarnsWhenStockRunsLow() {
        String id = UUID.randomUUID().toString();
        ActorRef<Account.Command> account = spawn(id);
        byte[] identity = {5, 7, 7};
        this.<Account.Created>ask(account, r -> new Account.Create("quinn", 11, identity, "h", new byte[] {1}, 1000L, r));

        Account.UploadResult wrongIdentity = this.<Account.UploadResult>ask(account, r -> new Account.UploadKeys(1, new byte[] {5, 0}, null, List.of(), List.of(), null, r));
        assertEquals(Account.UploadRejection.IDENTITY_KEY_MISMATCH, ((Account.UploadRejected) wrongIdentity).reason());
        Account.UploadResult unknownDevice = this.<Account.UploadResult>ask(account, r -> new Account.UploadKeys(9, identity, null, List.of(), List.of(), null, r));
        assertEquals(Account.UploadRejection.UNKNOWN_DEVICE, ((Account.UploadRejected) unknownDevice).reason());

        // No keys yet: nothing to claim.
        assertInstanceOf(Account.NoBundle.class, this.<Account.ClaimResult>ask(account, r -> new Account.ClaimPreKeys(0, r)));

        List<PreKey> oneTime = new ArrayList<>();
        List<SignedPreKey> kyber = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            oneTime.add(new PreKey(i, new byte[] {5, (byte) i}));
            kyber.add(new SignedPreKey(100 + i, new byte[] {8, (byte) i}, new byte[] {1}));
        }
        SignedPreKey signed = new SignedPreKey(1, new byte[] {5, 5}, new byte[] {2});
        SignedPreKey lastResort = new SignedPreKey(999, new byte[] {8, 8}, new byte[] {3});
        Account.UploadResult stored = this.<Account.UploadResult>ask(account, r -> new Account.UploadKeys(1, identity, signed, oneTime, kyber, lastResort, r));
        assertEquals(new KeyStock(5, 5, true, true), ((Account.KeysStored) stored).stock());
        Account.UploadResult tooMany = this.<Account.UploadResult>ask(account, r -> new Account.UploadKeys(1, identity, null,
                java.util.stream.IntStream.range(10, 40).mapToObj(i -> new PreKey(i, new byte[] {1})).toList(), List.of(), null, r));
        assertEquals(Account.UploadRejection.TOO_MANY_KEYS, ((Account.UploadRejected) tooMany).reason());

        List<Integer> claimed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Account.Bundles bundles = (Account.Bundles) this.<Account.ClaimResult>ask(account, r -> new Account.ClaimPreKeys(1, r));
            assertArrayEquals(identity, bundles.identityKey());
            Account.Bundle bundle = bundles.bundles().get(0);
            claimed.add(bundle.oneTimePreKey().keyId());
            assertEquals(100 + bundle.oneTimePreKey().keyId(), bundle.kyberPreKey().keyId());
        }
        assertEquals(List.of(1, 2, 3, 4, 5), claimed);
        Account.Bundle exhausted = ((Account.Bundles) this.<Account.ClaimResult>ask(account, r -> new Account.ClaimPreKeys(1, r))).bundles().get(0);
        assertNull(exhausted.oneTimePreKey());
        assertEquals(999, exhausted.kyberPreKey().keyId(), "the last-resort Kyber key once one-time keys are gone");
        assertTrue(lowStock.contains(id + "/1/2"), "warned below the threshold of 3: " + lowStock);

        testKit.stop(account);
        assertEquals(new KeyStock(0, 0, true, true), this.<KeyStock>ask(spawn(id), r -> new Account.GetKeyStock(1, r)));
    }
}
