package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The smoke scenario end to end against a real dev node (and its Cassandra): the books of the summary
 * balance. Counts only, no timing: the figures of so small a run mean nothing.
 */
class MixSmokeTest {

    private static NodeProcess node;
    private static RelayBenchmark options;

    @BeforeAll
    static void startNode() throws Exception {
        var cl = RelayBenchmark.commandLine();
        cl.parseArgs("--node-heap", "384m", "--scenario-file", "scenarios/smoke.conf");
        options = cl.getCommand();
        options.validate();
        node = NodeProcess.start(Path.of("../../bin/securecomm-relay").toAbsolutePath().normalize(), options.nodeJavaOpts(), false, 300);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static double metric(Report report, String scenario, String name) {
        return report.metrics().stream().filter(m -> m.scenario().equals(scenario) && m.name().equals(name))
                .mapToDouble(Report.Metric::value).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + scenario + "/" + name + " in " + report.metrics()));
    }

    @Test
    void everyEnvelopeIsDeliveredExactlyOnceAndOfflineDevicesDrain() {
        MixSettings smoke = options.mixSettings();
        Report report = new Report();
        int status = new MixRun(smoke, new NodeInfo(node.url(), Optional.of(node.nodePid()), node.cassandraPid()), options).run(report);
        report.print();

        assertEquals(0, status);
        assertEquals(0, metric(report, "errors", "total"), "no errors of any kind");
        assertEquals(smoke.storm().devices(), metric(report, "storm", "devices connected"));
        assertEquals(smoke.storm().devices(), metric(report, "idle", "devices open"), "heartbeats kept them all alive");
        for (String flow : new String[] {"messaging", "fanout"}) {
            double accepted = metric(report, flow, "envelopes accepted");
            assertTrue(accepted > 0, flow + " sent something");
            assertEquals(accepted, metric(report, flow, "envelopes received"), flow + ": every accepted envelope received");
            assertEquals(0, metric(report, flow, "envelopes missing"), flow);
            assertEquals(0, metric(report, flow, "duplicates"), flow + ": none received twice");
            assertTrue(metric(report, flow, "from mailbox") > 0, flow + ": offline devices drained their mailbox on return");
        }
        int fanoutDevices = smoke.fanout().devices();
        assertEquals(0, metric(report, "fanout", "envelopes accepted") % fanoutDevices, "one envelope per device of each account");
    }
}
