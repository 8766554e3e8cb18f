package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.SineSource;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.TcpProxy;
import org.securecomm.desktop.support.TestClients;

/**
 * A network drop in a group call: one participant's connection to the relay is cut (through a
 * TCP proxy, the relay and the client keep running). The client rejoins by itself, gets a fresh
 * forwarder route, and stays in the call: it hears who leaves later and the others hear it.
 */
class CallReconnectTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aDroppedConnectionRejoinsTheCallByItself(@TempDir Path dir) throws Exception {
        URI relay = URI.create(TestClients.sharedRelay().clientUrl());
        try (TcpProxy proxy = new TcpProxy(relay.getPort())) {
            URI throughProxy = URI.create("ws://127.0.0.1:" + proxy.port() + relay.getPath());
            SecureCommClient ann = TestClients.register(dir.resolve("ann"), "dropann", throughProxy);
            SecureCommClient ben = TestClients.register(dir.resolve("ben"), "dropben");
            SecureCommClient cat = TestClients.register(dir.resolve("cat"), "dropcat");
            try {
                CallProbe annCalls = new CallProbe(ann);
                CallProbe benCalls = new CallProbe(ben);
                CallProbe catCalls = new CallProbe(cat);
                CallOptions tone = CallOptions.defaults().withIceLoopback(true).withAudio(() -> new SineSource(440, 0.5, CallAudio.SAMPLE_RATE * 120L));
                String callId = annCalls.calls().place(List.of(ben.address(), cat.address()), tone);
                for (CallProbe callee : List.of(benCalls, catCalls)) {
                    callee.awaitRinging(WAIT);
                    callee.calls().answer(callId, CallOptions.defaults().withIceLoopback(true));
                }
                String annLabel = CallProbe.label(ann);
                TestClients.await("ben hears ann", WAIT, () -> benCalls.decryptedFrom(annLabel) > 50);

                proxy.dropAll();
                annCalls.await(CallUpdate.Reconnecting.class, r -> r.callId().equals(callId), WAIT);
                annCalls.await(CallUpdate.Joined.class, j -> j.callId().equals(callId) && j.participants().size() == 2, WAIT);
                long heard = benCalls.decryptedFrom(annLabel);
                TestClients.await("ben hears ann after her rejoin", WAIT, () -> benCalls.decryptedFrom(annLabel) > heard + 100);

                // ann's new connection is in the call: cat leaving reaches her and she rotates her key
                catCalls.calls().hangUp();
                annCalls.await(CallUpdate.Participants.class, p -> p.participants().size() == 1, WAIT);
                assertTrue(annCalls.calls().activeCallId().isPresent(), "ann is still in the call");
                annCalls.calls().hangUp();
            } finally {
                ann.close();
                ben.close();
                cat.close();
            }
        }
    }
}
