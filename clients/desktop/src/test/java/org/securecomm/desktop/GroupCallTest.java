package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.CallStats;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.SineSource;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.GroupCalls;
import org.securecomm.desktop.support.TestClients;

/**
 * A group call of four accounts through the relay's media forwarder, on a real relay and Cassandra:
 * everyone hears everyone (each sends its own tone; each recording matches the right tone and not
 * the others); keys rotate on joins, leaves and on the interval; a receiver that drops its keys
 * resyncs; a participant whose client is killed rejoins and is heard again.
 */
class GroupCallTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final double[] TONES = {300, 500, 700, 900};

    @Test
    void fourParticipantsHearEachOtherAcrossRotationResyncAndRejoin(@TempDir Path dir) throws Exception {
        String[] names = {"gina", "hugo", "ines", "jack"};
        List<SecureCommClient> clients = new ArrayList<>();
        List<CallProbe> probes = new ArrayList<>();
        try {
            for (String name : names) {
                SecureCommClient client = TestClients.register(dir.resolve(name), name);
                clients.add(client);
                probes.add(new CallProbe(client));
            }
            CallProbe gina = probes.get(0);
            String callId = gina.calls().place(List.of(clients.get(1).address(), clients.get(2).address(), clients.get(3).address()),
                    options(dir, 0));
            for (int i = 1; i < 4; i++) {
                CallProbe callee = probes.get(i);
                String ringing = callee.awaitRinging(WAIT).callId();
                assertEquals(callId, ringing);
                callee.calls().answer(callId, options(dir, i));
            }
            GroupCalls.awaitEveryoneHearsEveryone(probes, 50, WAIT);
            for (CallProbe probe : probes) {
                assertTrue(probe.calls().mediaPath().orElseThrow().startsWith("forwarder"), "group media goes through the forwarder");
            }
            // every join rotated gina's key, and the 2 s interval rotates it again
            gina.await(CallUpdate.KeyRotated.class, k -> k.why().equals("membership"), WAIT);
            gina.await(CallUpdate.KeyRotated.class, k -> k.why().equals("interval"), WAIT);

            // resync: hugo forgets every key and asks the senders again
            CallProbe hugo = probes.get(1);
            Map<String, Long> before = decryptedByOthers(hugo, clients);
            hugo.calls().dropReceivedKeys();
            long dropped = System.nanoTime();
            for (Map.Entry<String, Long> sender : before.entrySet()) {
                TestClients.await("hugo decrypts " + sender.getKey() + " again", WAIT,
                        () -> hugo.decryptedFrom(sender.getKey()) > sender.getValue() + 25);
            }
            System.out.printf("resync after dropping keys: every stream back within %d ms%n", (System.nanoTime() - dropped) / 1_000_000);

            // jack's client dies (no hang-up); a restarted client rejoins the same call and is heard again
            SecureCommClient jack = clients.get(3);
            String jackLabel = CallProbe.label(jack);
            jack.close();
            SecureCommClient jackAgain = TestClients.reopen(dir.resolve("jack"));
            clients.set(3, jackAgain);
            probes.set(3, new CallProbe(jackAgain));
            long ginaHeardJack = gina.decryptedFrom(jackLabel);
            jackAgain.calls().join(callId, options(dir, 3));
            TestClients.await("gina hears jack again", WAIT, () -> gina.decryptedFrom(jackLabel) > ginaHeardJack + 50);
            GroupCalls.awaitEveryoneHearsEveryone(probes, 25, WAIT);

            // ines leaves: the others rotate and go on
            long rotationsBefore = gina.updates().stream().filter(u -> u instanceof CallUpdate.KeyRotated k && k.why().equals("membership")).count();
            probes.get(2).calls().hangUp();
            TestClients.await("gina rotates after ines left", WAIT, () -> gina.updates().stream()
                    .filter(u -> u instanceof CallUpdate.KeyRotated k && k.why().equals("membership")).count() > rotationsBefore);
            TestClients.await("three left", WAIT, () -> gina.calls().participants().size() == 2);

            CallStats stats = gina.calls().mediaStats().orElseThrow();
            gina.calls().hangUp();
            for (int i = 1; i < 4; i++) {
                if (i != 2) {
                    probes.get(i).calls().hangUp();
                }
            }
            // gina's recordings: each remote stream is its sender's tone and no one else's
            GroupCalls.assertEachStreamIsItsSendersTone(stats, clients.stream().map(SecureCommClient::address).toList(), TONES, 100);
        } finally {
            clients.forEach(SecureCommClient::close);
        }
    }

    private static CallOptions options(Path dir, int index) {
        return CallOptions.defaults().withIceLoopback(true).withAudio(() -> new SineSource(TONES[index], 0.5, CallAudio.SAMPLE_RATE * 120L))
                .withRecordDir(dir.resolve("recordings-" + index)).withKeyRotation(Duration.ofSeconds(2));
    }

    private static Map<String, Long> decryptedByOthers(CallProbe probe, List<SecureCommClient> clients) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (SecureCommClient other : clients) {
            if (other != probe.client()) {
                counts.put(CallProbe.label(other), probe.decryptedFrom(CallProbe.label(other)));
            }
        }
        return counts;
    }
}
