package org.securecomm.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.securecomm.relay.support.ClusterNodeProcess;

/** Waits and final counts shared by the cluster tests. */
final class ClusterChecks {

    private ClusterChecks() {
    }

    static void awaitAcknowledgedAbove(Traffic traffic, long count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (traffic.acknowledgedCount() <= count) {
            if (System.nanoTime() > end) {
                throw new AssertionError("sends not acknowledged again within " + timeout + ": " + traffic.verify());
            }
            Thread.sleep(200);
        }
    }

    /** Waits until {@code node} sees {@code count} members Up and none unreachable (Pekko Management's /cluster/members). */
    static void awaitMembersUp(ClusterNodeProcess node, int count, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String members = "";
        while (System.nanoTime() < end) {
            members = node.members();
            if (members.split("\"status\":\"Up\"", -1).length - 1 == count && members.contains("\"unreachable\":[]")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("node " + node.index + " does not see " + count + " members Up: " + members);
    }

    /**
     * Stops the traffic, waits for the recipients to get everything acknowledged, and asserts
     * exactly once per device (by envelope id). When something is missing, the devices missing it
     * reconnect first so the message says whether it was lost or only not pushed.
     */
    static Traffic.Report stopDrainAndCount(Traffic traffic, String what) throws InterruptedException {
        traffic.stop();
        boolean drained = traffic.drain(Duration.ofSeconds(60));
        Traffic.Report report = traffic.verify();
        System.out.printf("%s: drained %s; %s%n", what, drained, report);
        String diagnosis = "";
        if (report.missing > 0) {
            diagnosis = traffic.diagnoseMissing(Duration.ofSeconds(30));
            System.out.println(what + ": diagnosis: " + diagnosis);
        }
        assertEquals(0, report.missing, what + ": acknowledged envelopes not delivered to connected devices: " + report + "; " + diagnosis);
        assertEquals(0, report.duplicateIds, what + ": stored under two ids: " + report);
        assertEquals(0, report.wrongIds, what + ": " + report);
        assertEquals(0, report.unexpected, what + ": " + report);
        return report;
    }
}
