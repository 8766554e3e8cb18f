package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.support.Canaries;

/**
 * The call and libsignal workloads against a real dev node (its own Cassandra child), for a few
 * seconds each: their counts must check out. Figures are the benchmark's business, not asserted here.
 */
class CallAndSignalWorkloadTest {

    private static NodeProcess node;
    private ClientPool pool;
    private MixContext context;

    @BeforeAll
    static void startNode() throws IOException {
        picocli.CommandLine cl = RelayBenchmark.commandLine();
        cl.parseArgs("--node-heap", "384m", "--node-java-opts", WorkloadTrial.FREE_PORTS);
        RelayBenchmark options = cl.getCommand();
        node = NodeProcess.start(Path.of("../../bin/securecomm-relay").toAbsolutePath().normalize(), options.nodeJavaOpts(), false, 600);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @BeforeEach
    void connect() {
        pool = new ClientPool(1, 2, Duration.ofSeconds(30));
        Accounts accounts = new Accounts(node.url(), pool, "+1555000", "424242", Duration.ofSeconds(30));
        context = new MixContext(accounts, pool, new NodeInfo(node.url(), java.util.Optional.of(node.nodePid()), node.cassandraPid()),
                new ErrorCounter(), 8);
    }

    @AfterEach
    void disconnect() {
        pool.close();
    }

    private static void run(MixWorkload workload, MixContext context, double seconds) throws Exception {
        try (workload) {
            workload.setUp(context);
            workload.start();
            Scenarios.sleepSeconds(seconds / 2);
            System.out.println("  " + workload.progress());
            Scenarios.sleepSeconds(seconds / 2);
            workload.stop();
            Report report = new Report();
            workload.report(report);
            report.print();
            assertFalse(report.metrics().isEmpty());
        }
    }

    @Test
    void oneToOneCallsAreSetUpStreamAndAreTornDown() throws Exception {
        CallWorkload calls = new CallWorkload(new CallWorkload.Settings(3, 2, 4, 50, 100, Duration.ofMillis(1500)));
        run(calls, context, 5);
        assertCallsCheckOut(calls);
    }

    @Test
    void groupCallsAreSetUpStreamAndAreTornDown() throws Exception {
        CallWorkload calls = new CallWorkload(new CallWorkload.Settings(2, 4, 2, 50, 120, Duration.ofMillis(1500)));
        run(calls, context, 5);
        assertCallsCheckOut(calls);
    }

    private void assertCallsCheckOut(CallWorkload calls) {
        assertEquals("none", calls.failures().describe());
        assertEquals("none", context.errors().describe());
        assertTrue(calls.started() >= 2, "calls started: " + calls.started());
        assertEquals(calls.started(), calls.setUpCalls(), "every call started is set up");
        assertEquals(calls.started(), calls.tornDownCalls(), "every call is torn down, CallEnded at every participant");
        assertEquals(0, calls.notTornDownCalls());
        assertEquals(0, calls.activeCalls());
        assertTrue(calls.mediaReceived() > 0 && calls.mediaExpected() > 0);
        // Loopback UDP at a few hundred packets/s: a lost datagram would be a forwarder or socket problem.
        assertEquals(calls.mediaExpected(), calls.mediaReceived(), "media the forwarder should have delivered");
        assertTrue(calls.mediaSent() > 0);
    }

    @Test
    void libsignalMessagesDecryptToTheirCanaryAndTheCanaryNeverReachesTheRelay() throws Exception {
        SignalMessagingWorkload signal = new SignalMessagingWorkload(new SignalMessagingWorkload.Settings(3, 60, 200));
        run(signal, context, 4);
        assertEquals("none", context.errors().describe());
        assertTrue(signal.sent() > 6, "sent: " + signal.sent());
        assertEquals(signal.sent(), signal.decrypted(), "every message decrypted to its canary plaintext");
        assertEquals(0, signal.mismatched());
        assertEquals(0, signal.failures());
        assertEquals(0, signal.duplicates());
        assertEquals(0, signal.inFlight());

        // Zero knowledge: the plaintext (raw, hex or base64) is in neither the node's log nor anything Cassandra wrote.
        List<String> canaryForms = Canaries.forms(signal.canary());
        byte[] log = Files.readAllBytes(node.log());
        assertTrue(new String(log, StandardCharsets.UTF_8).contains("SecureComm dev relay ready"), "the node's log was read");
        assertAbsent(canaryForms, log, node.log());
        List<Path> stored = files(node.log().getParent().resolve("data"));
        assertTrue(stored.size() > 10, "Cassandra's data directory was found: " + stored.size() + " files");
        boolean ciphertextSeen = false;
        for (Path file : stored) {
            byte[] bytes = Files.readAllBytes(file);
            assertAbsent(canaryForms, bytes, file);
            ciphertextSeen |= Canaries.contains(bytes, signal.lastCiphertext());
        }
        // The search reads where envelopes land: the (stored) ciphertext of a message is found.
        assertTrue(ciphertextSeen, "a sent ciphertext was not found in the data directory: the search does not reach the storage");
    }

    private static void assertAbsent(List<String> forms, byte[] bytes, Path where) {
        for (String form : forms) {
            assertFalse(Canaries.contains(bytes, form), "the canary plaintext (as " + form + ") is in " + where);
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        return files;
    }
}
