package org.securecomm.relay.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.protocol.Identifiers;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** {@code securecomm-relay admin ...} run in-process (the code Main calls) against a real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCliTest {

    private final CapturingCodeSender codes = new CapturingCodeSender();
    private final String token = AdminToken.generate();
    private RelayNode node;
    private String url;

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    @BeforeAll
    void start() {
        node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), codes,
                Map.of("securecomm.admin.port", 0, "securecomm.admin.token", token));
        url = AdminServer.of(node.system()).url();
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Run admin(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AdminCli.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run admin(String... args) {
        return admin(Map.of("SECURECOMM_ADMIN_TOKEN", token), args);
    }

    @Test
    void membersAsATableAndAsJson() throws Exception {
        Run table = admin("--url", url, "members");
        assertEquals(0, table.code(), table.err());
        List<String> lines = table.out().lines().toList();
        assertEquals(2, lines.size(), table.out());
        assertTrue(lines.get(0).matches("ADDRESS\\s+STATUS\\s+REACHABLE\\s+DC\\s+ROLES"), lines.get(0));
        String self = node.system().address().toString();
        assertTrue(lines.get(1).matches("\\Q" + self + "\\E\\s+Up\\s+yes\\s+default\\s+-\\s+leader,oldest,self"), lines.get(1));

        Run json = admin("--url", url, "--json", "members");
        assertEquals(0, json.code(), json.err());
        JsonNode parsed = new ObjectMapper().readTree(json.out());
        assertEquals(self, parsed.get("members").get(0).get("address").asText());
    }

    @Test
    void theTokenComesFromAFileOrTheEnvironment() throws Exception {
        Path file = dir.resolve("admin.token");
        Files.writeString(file, token + "\n");
        Run fromFile = admin(Map.of(), "--url", url, "--token-file", file.toString(), "peers");
        assertEquals(0, fromFile.code(), fromFile.err());
        assertTrue(fromFile.out().startsWith("federation off"), fromFile.out());

        Files.writeString(file, "not-the-token-at-all\n");
        Run wrong = admin(Map.of(), "--url", url, "--token-file", file.toString(), "members");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("error (401)") && wrong.err().contains("Bearer"), wrong.err());

        Run missing = admin(Map.of(), "--url", url, "--token-file", dir.resolve("absent").toString(), "members");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no admin token"), missing.err());
    }

    @Test
    void accountAndMailboxCommands() throws Exception {
        String suffix = Long.toString(System.nanoTime(), 36);
        String identifier = "nora-" + suffix + "@example.org";
        try (TestDevice nora = TestDevice.register(node.clientUrl(), codes, identifier, "nora" + suffix);
             TestDevice otto = TestDevice.register(node.clientUrl(), codes, "otto-" + suffix + "@example.org", "otto" + suffix)) {
            nora.disconnect();
            otto.send(nora.address, List.of(nora.deviceId), new byte[10]);
            Run mailbox = admin("--url", url, "mailbox", nora.address);
            assertEquals(0, mailbox.code(), mailbox.err());
            List<String> lines = mailbox.out().lines().toList();
            assertEquals(nora.address + " (account " + nora.accountId + ")", lines.get(0));
            assertTrue(lines.get(1).matches("DEVICE\\s+ENVELOPES\\s+BYTES\\s+OLDEST"), lines.get(1));
            assertTrue(lines.get(2).matches("1\\s+1\\s+10\\s+\\S+"), lines.get(2));

            Run stats = admin("--url", url, "mailbox-stats");
            assertEquals(0, stats.code(), stats.err());
            assertTrue(stats.out().contains("live mailbox(es)"), stats.out());

            Run disabled = admin("--url", url, "account", "disable", "--identifier", identifier);
            assertEquals(0, disabled.code(), disabled.err());
            assertEquals("account " + nora.accountId + " disabled: 1 device(s) can no longer authenticate; open connections closed",
                    disabled.out().strip());
            String hash = HexFormat.of().formatHex(Identifiers.clientHash(identifier));
            assertEquals(hash, admin("hash-identifier", identifier).out().strip());
            Run enabled = admin("--url", url, "account", "enable", "--identifier-hash", hash);
            assertEquals(0, enabled.code(), enabled.err());
            assertEquals("account " + nora.accountId + " enabled", enabled.out().strip());

            Run deleted = admin("--url", url, "account", "delete", nora.address);
            assertEquals(0, deleted.code(), deleted.err());
            assertTrue(deleted.out().contains("deleted: 1 device(s), 1 envelope(s) removed, username free again"), deleted.out());

            Run gone = admin("--url", url, "mailbox", nora.address);
            assertEquals(1, gone.code());
            assertTrue(gone.err().contains("error (404): no account " + nora.address), gone.err());
        }
    }

    @Test
    void shardsTable() {
        Run shards = admin("--url", url, "shards");
        assertEquals(0, shards.code(), shards.err());
        assertTrue(shards.out().lines().findFirst().orElse("").matches("TYPE\\s+NODE\\s+SHARDS\\s+ENTITIES"), shards.out());
        assertTrue(shards.out().lines().anyMatch(line -> line.matches("Username\\s+\\(cluster\\)\\s+\\d+\\s+\\d+")), shards.out());
    }

    @Test
    void usageErrorsExitWith2() {
        for (String[] args : List.of(new String[] {}, new String[] {"frobnicate"}, new String[] {"account", "suspend", "a@b.c"},
                new String[] {"members", "extra"}, new String[] {"--url"}, new String[] {"--colour", "members"},
                new String[] {"account", "delete"}, new String[] {"hash-identifier", "not an identifier"})) {
            Run run = admin(args);
            assertEquals(2, run.code(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.err().contains("usage: securecomm-relay admin"), run.err());
        }
    }

    @Test
    void anUnreachableNodeIsAnError() {
        Run run = admin("--url", "http://127.0.0.1:1", "members");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("cannot reach the admin listener at http://127.0.0.1:1"), run.err());
    }
}
