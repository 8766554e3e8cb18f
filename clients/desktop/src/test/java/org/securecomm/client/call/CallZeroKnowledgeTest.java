package org.securecomm.client.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.media.AudioCorrelation;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.SineSource;
import org.securecomm.client.call.media.WavFileSink;
import org.securecomm.client.call.media.WavFileSource;
import org.securecomm.client.call.video.TestPatternSource;
import org.securecomm.client.call.video.VideoFormat;
import org.securecomm.client.call.video.VideoFrame;
import org.securecomm.client.call.video.VideoQuality;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.Recordings;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.desktop.support.ZeroKnowledge;
import org.securecomm.relay.media.PacketTap;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestRelays;

/**
 * Zero knowledge of call media, with real clients in a three-party audio and video call through
 * the real forwarder: every datagram the forwarder receives or sends is captured and must contain
 * none of the Opus frames the senders' encoders produced, and no SFrame key a client used (raw,
 * hex or base64) may appear in those datagrams, in any Cassandra cell or file, or in the relay's
 * log. Meanwhile the media must arrive: the recordings match what was sent and the video frames
 * carry the test pattern's frame numbers.
 */
class CallZeroKnowledgeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void forwarderSeesNoOpusFramesAndNoKeyReachesTheRelay(@TempDir Path dir) throws Exception {
        Path voice = dir.resolve("voice.wav");
        try (WavFileSink sink = new WavFileSink(voice)) {
            sink.write(Recordings.readAll(new SineSource(440, 0.5, CallAudio.SAMPLE_RATE * 6L)));
        }
        ConcurrentLinkedQueue<byte[]> captured = new ConcurrentLinkedQueue<>();
        var forwarder = TestRelays.forwarder(TestClients.sharedRelay());
        List<SecureCommClient> clients = new ArrayList<>();
        Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try {
            for (String name : List.of("zoe", "yan", "xia")) {
                SecureCommClient client = TestClients.register(dir.resolve(name), "zk" + name);
                clients.add(client);
                MediaKeys.collect(client, keys);
            }
            forwarder.tap(new PacketTap() {
                @Override
                public void received(java.net.InetSocketAddress from, byte[] datagram) {
                    captured.add(datagram);
                }

                @Override
                public void sent(java.net.InetSocketAddress to, byte[] datagram) {
                    captured.add(datagram);
                }
            });
            CallProbe zoe = new CallProbe(clients.get(0));
            List<CallProbe> callees = List.of(new CallProbe(clients.get(1)), new CallProbe(clients.get(2)));
            CallOptions zoeOptions = CallOptions.defaults().withIceLoopback(true).withAudio(() -> source(voice))
                    .withVideo(() -> new TestPatternSource(VideoFormat.DEFAULT, -1)).withKeyRotation(Duration.ofSeconds(2));
            String callId = zoe.calls().place(List.of(clients.get(1).address(), clients.get(2).address()), zoeOptions);
            for (CallProbe callee : callees) {
                callee.awaitRinging(WAIT);
                callee.calls().answer(callId, CallOptions.defaults().withIceLoopback(true).withRecordDir(dir.resolve("rec-" + callee.client().deviceId()
                        + callee.client().address().charAt(0))));
            }
            String zoeLabel = CallProbe.label(clients.get(0));
            for (CallProbe callee : callees) {
                TestClients.await("5 s of zoe's audio", WAIT, () -> callee.decryptedFrom(zoeLabel) >= 250);
            }
            List<CallStats> stats = new ArrayList<>();
            for (CallProbe callee : callees) {
                stats.add(callee.calls().mediaStats().orElseThrow());
            }
            clients.forEach(c -> MediaKeys.addCurrent(c, keys));
            zoe.calls().hangUp();
            callees.forEach(callee -> callee.calls().hangUp()); // closes the recordings
            forwarder.tap(null);

            // the media arrived: zoe's tone in the recordings, her video frames numbered as sent
            short[] sent = Recordings.readAll(source(voice));
            for (CallStats stat : stats) {
                CallStats.Stream fromZoe = stat.streams().stream().filter(s -> s.participant().equals(zoeLabel)).findFirst().orElseThrow();
                double match = AudioCorrelation.best(sent, Recordings.readAll(fromZoe.recording()), CallAudio.SAMPLE_RATE / 440 + 1).coefficient();
                assertTrue(match > 0.5, "zoe's recorded tone: " + match);
                assertTrue(fromZoe.videoFrames() > 10, "video frames decoded: " + fromZoe.videoFrames());
                Path videoDir = Path.of(fromZoe.recording().toString().replaceFirst("\\.wav$", "-video"));
                try (Stream<Path> pngs = Files.list(videoDir)) {
                    Path png = pngs.sorted().reduce((a, b) -> b).orElseThrow();
                    VideoFrame frame = VideoFrame.of(javax.imageio.ImageIO.read(png.toFile()), 0, 0);
                    long number = Long.parseLong(png.getFileName().toString().replace(".png", ""));
                    assertEquals(number, VideoQuality.readFrameNumber(frame).orElseThrow(), "the picture shows its frame number");
                    assertTrue(VideoQuality.psnr(new TestPatternSource(VideoFormat.DEFAULT, -1).frame(number), frame) > 20);
                }
            }
        } finally {
            forwarder.tap(null);
            clients.forEach(SecureCommClient::close);
        }

        // what the encoders produced from the same source: no 12-byte piece of it crossed the forwarder
        Set<ByteBuffer> opusPieces = ZeroKnowledge.opusPieces(source(voice));
        assertTrue(opusPieces.size() > 1000, "the reference encoding has content");
        assertTrue(captured.size() > 1000, "the forwarder carried the call: " + captured.size());
        assertEquals(0, ZeroKnowledge.holdingOpus(captured, opusPieces), "datagrams at the forwarder holding Opus frames");

        // no key, in any form, in what crossed the forwarder, in Cassandra or in the relay's log
        assertTrue(keys.size() >= 3, "keys collected: " + keys.size());
        List<ZeroKnowledge.Secret> secrets = ZeroKnowledge.keys(keys);
        List<String> found = new ArrayList<>();
        captured.forEach(datagram -> found.addAll(ZeroKnowledge.search(datagram, secrets, "a forwarded datagram")));
        found.addAll(ZeroKnowledge.searchCassandra(SharedCassandra.get(), secrets));
        found.addAll(ZeroKnowledge.search(Files.readAllBytes(ZeroKnowledge.relayLog()), secrets, "the relay log"));
        assertEquals(List.of(), found);
    }

    private static WavFileSource source(Path wav) {
        try {
            return new WavFileSource(wav);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
