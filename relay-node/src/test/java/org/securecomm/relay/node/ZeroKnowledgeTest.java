package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.protocol.Identifiers;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DiscoverContacts;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.relay.support.Canaries;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/**
 * Zero knowledge, checked on the bytes: registers accounts with canary identifiers and sends
 * envelopes whose content holds a canary, then searches every Cassandra table, every file of
 * Cassandra's data directory (SSTables and commit log) and the node's log. Identifiers may appear
 * nowhere; the envelope canary only inside the opaque envelope bytes of mailbox events.
 */
class ZeroKnowledgeTest {

    @Test
    void noIdentifierOrPlaintextReachesStorageOrLogs() throws Exception {
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String email = "canary." + tag + "@example.org";
        String phone = "+1555" + (1_000_000 + Math.floorMod(tag.hashCode(), 8_999_999));
        String envelopeCanary = "CANARY-PLAINTEXT-" + tag;
        CassandraNode cassandra = SharedCassandra.startFresh("zero-knowledge");
        CapturingCodeSender codes = new CapturingCodeSender();
        try {
            try (RelayNode node = TestRelays.start(cassandra, TestRelays.newIdentifierKey(), codes, Map.of())) {
                TestDevice alice = TestDevice.register(node.clientUrl(), codes, email, "zk" + tag);
                TestDevice bob = TestDevice.register(node.clientUrl(), codes, phone, "zkb" + tag);
                alice.uploadKeys(1, 5);
                alice.call(ClientMessage.newBuilder().setDiscoverContacts(DiscoverContacts.newBuilder()
                        .addIdentifierHashes(ByteString.copyFrom(Identifiers.clientHash(Identifiers.normalize(phone))))));
                bob.disconnect();
                byte[] content = ("opaque " + envelopeCanary + " bytes").getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < 5; i++) {
                    alice.send(bob.address, List.of(1), content);
                }
                bob.connect(node.clientUrl());
                Envelope first = bob.nextEnvelope(Duration.ofSeconds(15));
                bob.acknowledge(first);
                alice.close();
                bob.close();
            }

            List<String> identifierForms = List.of(email, phone, phone.substring(1));
            List<String> found = new ArrayList<>();
            int envelopeCopies = scanTables(cassandra, identifierForms, envelopeCanary, found);
            assertTrue(envelopeCopies >= 5, "the envelopes themselves are stored (sanity check of the scan): " + envelopeCopies);

            Path dataDir = cassandra.dataDir();
            cassandra.close(); // flushes memtables, so SSTables and commit log hold everything
            try (Stream<Path> files = Files.walk(dataDir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    byte[] bytes = Files.readAllBytes(file);
                    boolean isLog = file.toString().contains("/logs/");
                    for (String form : forms(identifierForms, isLog ? envelopeCanary : null)) {
                        if (Canaries.contains(bytes, form)) {
                            found.add(dataDir.relativize(file) + " contains " + form);
                        }
                    }
                }
            }
            byte[] nodeLog = Files.readAllBytes(Path.of(System.getProperty("relay.test.log", "target/relay-test.log")));
            assertTrue(nodeLog.length > 0, "the node log was written");
            for (String form : forms(identifierForms, envelopeCanary)) {
                if (Canaries.contains(nodeLog, form)) {
                    found.add("the node log contains " + form);
                }
            }
            assertEquals(List.of(), found);
        } finally {
            cassandra.close();
        }
    }

    /** Every cell of the relay's keyspace; answers how many envelope events hold the canary. */
    private static int scanTables(CassandraNode cassandra, List<String> identifierForms, String envelopeCanary, List<String> found) {
        int[] envelopeCopies = {0};
        List<String> forms = forms(identifierForms, null);
        Canaries.forEachCell(cassandra, (table, row, column, value) -> {
            for (String form : forms) {
                if (Canaries.contains(value, form)) {
                    found.add(table + "." + column + " contains " + form);
                }
            }
            if (Canaries.contains(value, envelopeCanary)) {
                String manifest = row.getColumnDefinitions().contains("ser_manifest") ? row.getString("ser_manifest") : "";
                boolean insideEnvelope = (table.equals("messages") && column.equals("event") && manifest.endsWith("EnvelopeEnqueued"))
                        || (table.equals("snapshots") && column.equals("snapshot") && manifest.endsWith("MailboxState"));
                if (insideEnvelope) {
                    envelopeCopies[0]++;
                } else {
                    found.add(table + "." + column + " (" + manifest + ") contains the envelope canary");
                }
            }
        });
        return envelopeCopies[0];
    }


    private static List<String> forms(List<String> identifiers, String envelopeCanary) {
        List<String> forms = new ArrayList<>();
        identifiers.forEach(identifier -> forms.addAll(Canaries.forms(identifier)));
        if (envelopeCanary != null) {
            forms.addAll(Canaries.forms(envelopeCanary));
        }
        return forms;
    }
}
