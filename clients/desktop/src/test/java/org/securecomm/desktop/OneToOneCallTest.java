package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.CallStats;
import org.securecomm.client.call.media.AudioCorrelation;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.WavFileSource;
import org.securecomm.client.call.transport.IcePolicy;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.Melody;
import org.securecomm.desktop.support.Recordings;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.relay.media.PacketTap;
import org.securecomm.relay.support.TestRelays;

/**
 * A 1:1 call takes the direct ICE path (host candidates on loopback), or with policy RELAY the
 * path through the real coturn behind the relay's TURN credentials; either way no media crosses
 * the relay's forwarder, and what the callee records is what the caller sent.
 */
class OneToOneCallTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(IcePolicy.class)
    void theRecordingMatchesTheSentAudio(IcePolicy policy, @TempDir Path dir) throws Exception {
        Path sent = Melody.write(dir.resolve("melody.wav"), 11, 8);
        SecureCommClient caller = TestClients.register(dir.resolve("caller"), "one" + policy.name().toLowerCase());
        SecureCommClient callee = TestClients.register(dir.resolve("callee"), "two" + policy.name().toLowerCase());
        AtomicLong forwardedMedia = new AtomicLong();
        var forwarder = TestRelays.forwarder(TestClients.sharedRelay());
        long turnLogBefore = Files.size(TestClients.sharedTurn().logFile());
        try {
            CallProbe alice = new CallProbe(caller);
            CallProbe bob = new CallProbe(callee);
            forwarder.tap(new PacketTap() {
                @Override
                public void received(java.net.InetSocketAddress from, byte[] datagram) {
                    if (datagram.length > 0 && datagram[0] == MediaDatagrams.CLIENT_MEDIA) {
                        forwardedMedia.incrementAndGet();
                    }
                }

                @Override
                public void sent(java.net.InetSocketAddress to, byte[] datagram) {
                }
            });
            CallOptions options = CallOptions.defaults().withIceLoopback(true).withIcePolicy(policy);
            String callId = alice.calls().place(List.of(callee.address()), options.withAudio(() -> open(sent)));
            bob.awaitRinging(WAIT);
            bob.calls().answer(callId, options.withRecordDir(dir.resolve("recorded")));
            String aliceLabel = CallProbe.label(caller);
            TestClients.await("6 s of the caller's audio", WAIT, () -> bob.decryptedFrom(aliceLabel) >= 300);
            String path = alice.calls().mediaPath().orElseThrow();
            assertTrue(path.startsWith("ice "), path);
            assertEquals(policy == IcePolicy.RELAY, path.contains("relay"), path);
            CallStats stats = bob.calls().mediaStats().orElseThrow();
            alice.calls().hangUp();
            TestClients.await("the callee's call ended", WAIT, () -> bob.calls().activeCallId().isEmpty());

            assertEquals(0, forwardedMedia.get(), "media of a 1:1 call with a direct path must not cross the forwarder");
            if (policy == IcePolicy.RELAY) {
                String turnLog = Files.readString(TestClients.sharedTurn().logFile()).substring((int) turnLogBefore);
                assertTrue(turnLog.contains("CHANNEL_BIND"), "coturn relayed the call's media:\n" + turnLog);
            }
            short[] reference = Recordings.readAll(open(sent));
            short[] recorded = Recordings.readAll(stats.streams().get(0).recording());
            AudioCorrelation.Match match = AudioCorrelation.best(reference, recorded, 10 * CallAudio.FRAME_SAMPLES);
            assertTrue(match.coefficient() > 0.6, "the recording matches the sent audio: " + match);
            short[] other = Recordings.readAll(open(Melody.write(dir.resolve("other.wav"), 23, 8)));
            assertTrue(AudioCorrelation.best(other, recorded, 10 * CallAudio.FRAME_SAMPLES).coefficient() < 0.3,
                    "another melody must not match");
        } finally {
            forwarder.tap(null);
            caller.close();
            callee.close();
        }
    }

    private static WavFileSource open(Path wav) {
        try {
            return new WavFileSource(wav);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
