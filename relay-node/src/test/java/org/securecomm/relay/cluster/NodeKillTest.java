package org.securecomm.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.securecomm.relay.support.ClusterNodeProcess;
import org.securecomm.relay.support.ReconnectingDevice;
import org.securecomm.relay.support.RelayClusterProcesses;

/**
 * kill -9 of one node of three under continuous traffic: the devices reconnect to the others,
 * delivery resumes, and every envelope acknowledged to a sender reaches every device of its
 * recipient exactly once (by envelope id). The killed node then rejoins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeKillTest {

    private static RelayClusterProcesses cluster;

    @BeforeAll
    static void start() {
        cluster = RelayClusterProcesses.start("kill", 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void killOfANodeThatIsNotASeedLosesNothing() throws Exception {
        killUnderTraffic(3);
    }

    @Test
    @Order(2)
    void killOfTheFirstSeedLosesNothing() throws Exception {
        // Node 1 is the oldest member: it holds the shard coordinator, which moves too.
        killUnderTraffic(1);
    }

    static void killUnderTraffic(int victimIndex) throws Exception {
        ClusterNodeProcess victim = cluster.node(victimIndex);
        try {
            trafficAndKill(victim);
        } finally {
            // The killed node comes back on the same ports and rejoins (its old incarnation is replaced).
            if (!victim.isAlive()) {
                victim.start(RelayClusterProcesses.START_TIMEOUT);
            }
        }
        ClusterChecks.awaitMembersUp(cluster.node(victimIndex == 1 ? 2 : 1), 3, Duration.ofSeconds(60));
    }

    private static void trafficAndKill(ClusterNodeProcess victim) throws Exception {
        int victimIndex = victim.index;
        try (Traffic traffic = Traffic.register(cluster.urls(), 10, Duration.ofMillis(200))) {
            traffic.awaitConnected(Duration.ofSeconds(60));
            long onVictim = traffic.allDevices().stream().filter(d -> d.currentUrl().equals(victim.url())).count();
            traffic.start();
            Thread.sleep(10_000);
            long beforeKill = traffic.acknowledgedCount();
            assertTrue(beforeKill > 0, "traffic flows before the kill");

            victim.kill9();
            long killed = System.nanoTime();
            // Delivery resumes: new sends are acknowledged after the kill (each sender retries its
            // in-flight send with the same id until a surviving node accepts it).
            ClusterChecks.awaitAcknowledgedAbove(traffic, beforeKill + 100, Duration.ofSeconds(150));
            double resumedAfter = (System.nanoTime() - killed) / 1e9;
            Thread.sleep(5_000);
            System.out.printf("kill -9 of node %d (%d devices were connected to it): 100 more sends acknowledged %.1f s after the kill%n",
                    victimIndex, onVictim, resumedAfter);
            Traffic.Report report = ClusterChecks.stopDrainAndCount(traffic, "kill -9 of node " + victimIndex);
            assertTrue(report.acknowledged > beforeKill + 100, report.toString());
            assertTrue(traffic.allDevices().stream().filter(d -> d.currentUrl().equals(victim.url())).count() == 0
                    && traffic.allDevices().stream().mapToLong(ReconnectingDevice::connections).sum() >= traffic.allDevices().size() + onVictim,
                    "the devices of the killed node reconnected elsewhere");
        }
    }
}
