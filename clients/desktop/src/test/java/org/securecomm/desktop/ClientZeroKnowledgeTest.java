package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.relay.support.Canaries;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.desktop.support.ZeroKnowledge;
import org.securecomm.ops.cassandra.CassandraNode;

/**
 * Zero knowledge with real clients: a random canary sentence goes into messages (both ways, to
 * linked devices and as sync copies), a contact name (synced between devices) and a device
 * name; then every Cassandra table, every file of Cassandra's data directory (SSTables, commit
 * log) and the relay's log are searched for it, as text, hex and base64. It must be nowhere.
 */
class ClientZeroKnowledgeTest {

    @Test
    void theCanaryNeverReachesTheRelaysStorageOrLogs(@TempDir Path dir) throws Exception {
        String canary = "the quick canary " + UUID.randomUUID().toString().replace("-", "") + " sings at dawn";
        SecureCommClient alice = TestClients.register(dir.resolve("alice"), "zkalice");
        SecureCommClient alice2 = TestClients.link(alice, dir.resolve("alice2"), "device " + canary);
        SecureCommClient bob = TestClients.register(dir.resolve("bob"), "zkbob");
        try {
            alice.addContact(bob.address(), "contact " + canary);
            alice.send(bob.address(), "message " + canary);
            bob.send(alice.address(), "reply " + canary);
            TestClients.await("all copies", Duration.ofSeconds(30), () -> alice2.allMessages().size() == 2
                    && bob.allMessages().size() == 2 && alice.allMessages().size() == 2);
            TestClients.await("the contact sync", Duration.ofSeconds(30),
                    () -> alice2.contacts().stream().anyMatch(c -> c.name().equals("contact " + canary)));
            assertTrue(alice.devices().stream().anyMatch(d -> d.name().equals("device " + canary)), "device names decrypt on devices");
        } finally {
            alice.close();
            alice2.close();
            bob.close();
        }

        List<ZeroKnowledge.Secret> secrets = List.of(ZeroKnowledge.canary(canary));
        CassandraNode cassandra = SharedCassandra.get();
        int[] addressesSeen = {0};
        Canaries.forEachCell(cassandra, (table, row, column, value) ->
                addressesSeen[0] += Canaries.contains(value, "zkalice@relay.test") ? 1 : 0);
        assertTrue(addressesSeen[0] > 0, "sanity check of the scan: routing metadata (addresses) is stored in the clear");
        List<String> found = new ArrayList<>(ZeroKnowledge.searchCassandra(cassandra, secrets));
        byte[] relayLog = Files.readAllBytes(ZeroKnowledge.relayLog());
        assertTrue(relayLog.length > 0);
        found.addAll(ZeroKnowledge.search(relayLog, secrets, "the relay log"));
        assertEquals(List.of(), found);
    }
}
