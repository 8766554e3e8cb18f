package org.securecomm.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.support.ClusterNodeProcess;
import org.securecomm.relay.support.RelayClusterProcesses;

/**
 * A rolling restart under continuous traffic: each node in turn gets SIGTERM (coordinated
 * shutdown: its clients are told to go, its shards handed off), exits, starts again on the same
 * ports and rejoins; then every acknowledged envelope is counted at every recipient device.
 */
class RollingRestartTest {

    private static RelayClusterProcesses cluster;

    @BeforeAll
    static void start() {
        cluster = RelayClusterProcesses.start("rolling", 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyAcknowledgedEnvelopeArrivesOnceAcrossARollingRestartOfAllNodes() throws Exception {
        try (Traffic traffic = Traffic.register(cluster.urls(), 10, Duration.ofMillis(200))) {
            traffic.awaitConnected(Duration.ofSeconds(60));
            traffic.start();
            Thread.sleep(8_000);
            for (ClusterNodeProcess node : cluster.nodes()) {
                long before = traffic.acknowledgedCount();
                long stopping = System.nanoTime();
                node.stop(Duration.ofSeconds(90));
                double stopSeconds = (System.nanoTime() - stopping) / 1e9;
                // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited; 0 once `run` exits by itself.
                assertTrue(node.exitCode() == 0 || node.exitCode() == 143, "node " + node.index + " exited with " + node.exitCode()
                        + " on SIGTERM; see " + node.log());
                node.start(RelayClusterProcesses.START_TIMEOUT);
                ClusterChecks.awaitMembersUp(cluster.node(node.index == 1 ? 2 : 1), 3, Duration.ofSeconds(90));
                ClusterChecks.awaitAcknowledgedAbove(traffic, before + 50, Duration.ofSeconds(120));
                System.out.printf("node %d restarted (stopped in %.1f s); %d sends acknowledged so far%n", node.index, stopSeconds,
                        traffic.acknowledgedCount());
            }
            Thread.sleep(5_000);
            Traffic.Report report = ClusterChecks.stopDrainAndCount(traffic, "rolling restart");
            assertTrue(report.reconnections >= traffic.allDevices().size(), "every device was moved at least once: " + report);
        }
    }
}
