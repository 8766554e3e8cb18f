package org.securecomm.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.support.ClusterNodeProcess;
import org.securecomm.relay.support.ReconnectingDevice;
import org.securecomm.relay.support.RelayClusterProcesses;

/**
 * A fourth node joins a three-node cluster under traffic: shards of the Mailbox and UserSession
 * types move onto it (read from each node's Pekko Management /cluster/shards/{type}), and the
 * devices, which stay connected to the first three nodes all along, keep getting their pushes:
 * every acknowledged envelope reaches them exactly once without any reconnection.
 */
class ScaleOutTest {

    private static final List<String> TYPES = List.of("Mailbox", "UserSession");
    private static RelayClusterProcesses cluster;

    @BeforeAll
    static void start() {
        cluster = RelayClusterProcesses.start("scale", 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFourthNodeTakesShardsWhileConnectedDevicesKeepReceiving() throws Exception {
        try (Traffic traffic = Traffic.register(cluster.urls(), 10, Duration.ofMillis(200))) {
            traffic.awaitConnected(Duration.ofSeconds(60));
            long connectionsBefore = traffic.allDevices().stream().mapToLong(ReconnectingDevice::connections).sum();
            traffic.start();
            Thread.sleep(8_000);
            System.out.println("before the join: " + distribution());

            ClusterNodeProcess fourth = cluster.addNode();
            ClusterChecks.awaitMembersUp(cluster.node(1), 4, Duration.ofSeconds(60));
            long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (shards(fourth, "Mailbox") == 0 || shards(fourth, "UserSession") == 0) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("no Mailbox or UserSession shard moved to node 4 within 120 s: " + distribution());
                }
                Thread.sleep(1_000);
            }
            // Let the rebalance go on under traffic for a while.
            Thread.sleep(15_000);
            System.out.println("after the join: " + distribution());
            assertTrue(shards(fourth, "Mailbox") > 0 && entities(fourth, "Mailbox") > 0,
                    "node 4 hosts Mailbox shards with live entities: " + distribution());

            Traffic.Report report = ClusterChecks.stopDrainAndCount(traffic, "scale-out");
            long connectionsAfter = traffic.allDevices().stream().mapToLong(ReconnectingDevice::connections).sum();
            assertTrue(connectionsAfter == connectionsBefore, "no device had to reconnect: " + report);
        }
    }

    private static String distribution() {
        StringBuilder out = new StringBuilder();
        for (String type : TYPES) {
            out.append(type).append(':');
            for (ClusterNodeProcess node : cluster.nodes()) {
                out.append(" node ").append(node.index).append(' ').append(shards(node, type)).append(" shards/")
                        .append(entities(node, type)).append(" entities");
            }
            out.append("; ");
        }
        return out.toString();
    }

    static int shards(ClusterNodeProcess node, String type) {
        Matcher m = Pattern.compile("\"shardId\"").matcher(node.shardRegion(type));
        int count = 0;
        while (m.find()) {
            count++;
        }
        return count;
    }

    static int entities(ClusterNodeProcess node, String type) {
        Matcher m = Pattern.compile("\"numEntities\":(\\d+)").matcher(node.shardRegion(type));
        int sum = 0;
        while (m.find()) {
            sum += Integer.parseInt(m.group(1));
        }
        return sum;
    }
}
