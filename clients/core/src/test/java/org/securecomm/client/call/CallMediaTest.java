package org.securecomm.client.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.securecomm.client.call.media.CallAudio;
import java.security.SecureRandom;
import org.securecomm.client.call.media.SFrameSender;
import org.securecomm.client.call.media.SineSource;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.protocol.MediaDatagrams;

/**
 * One device's call media against another's, joined by an in-memory transport (the network is not
 * what is tested here): frames decrypt only with the sender's key, a missing key is reported once
 * per interval for resync, and a participant cannot put its key on someone else's source id.
 */
class CallMediaTest {

    /** Hands every payload straight to the other side's media. */
    private static final class Wire implements MediaTransport {
        private volatile Consumer<byte[]> peer = payload -> { };
        private volatile long sent;

        @Override
        public void send(byte[] payload) {
            sent++;
            peer.accept(payload);
        }

        @Override
        public void onReceive(Consumer<byte[]> receiver) {
        }

        @Override
        public String describe() {
            return "wire";
        }

        @Override
        public Stats stats() {
            return new Stats(sent, 0, 0);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void framesDecryptOnlyWithTheSendersKeyAndMissingKeysAreAskedFor() throws Exception {
        List<Integer> missing = new CopyOnWriteArrayList<>();
        Wire wire = new Wire();
        try (CallMedia alice = new CallMedia(new SineSource(440, 0.5, CallAudio.SAMPLE_RATE * 60L), null, null, null, (id, kid) -> { });
             CallMedia bob = new CallMedia(null, null, null, null, (id, kid) -> missing.add(id))) {
            wire.peer = bob::receive;
            alice.sendVia(wire);
            await(() -> !missing.isEmpty());
            assertEquals(alice.sourceId(), missing.get(0), "bob asks for the key of alice's source");
            int asked = missing.size();
            Thread.sleep(100);
            assertTrue(missing.size() <= asked + 1, "at most one request per 250 ms: " + missing.size());

            // mallory's key on alice's source id is refused once alice's key is there
            bob.addKey("alice@test.1", alice.sourceId(), alice.currentKey());
            SFrameSender mallory = new SFrameSender(CallMedia.SUITE, new SecureRandom(), alice.currentKey().kid() + 7);
            bob.addKey("mallory@test.1", alice.sourceId(), mallory.currentKey());
            await(() -> decrypted(bob) > 20);
            alice.sendVia(null);
            Thread.sleep(100);
            CallStats.Stream before = bob.stats().streams().get(0);
            assertEquals("alice@test.1", before.participant());
            byte[] header = MediaDatagrams.payloadHeader(alice.sourceId(), MediaDatagrams.KIND_AUDIO, 1_000_000);
            byte[] sframe = mallory.encrypt(header, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            byte[] forged = new byte[header.length + sframe.length];
            System.arraycopy(header, 0, forged, 0, header.length);
            System.arraycopy(sframe, 0, forged, header.length, sframe.length);
            bob.receive(forged);
            CallStats.Stream after = bob.stats().streams().get(0);
            assertEquals(before.decrypted(), after.decrypted(), "mallory's frame must not pass for alice's");
            assertEquals(before.undecryptable() + 1, after.undecryptable());
            alice.sendVia(wire);

            // a rotation whose key has not arrived yet: frames under the new KID are asked for
            missing.clear();
            alice.rotate();
            await(() -> !missing.isEmpty());
            bob.addKey("alice@test.1", alice.sourceId(), alice.currentKey());
            long resumed = decrypted(bob);
            await(() -> decrypted(bob) > resumed + 20);
        }
    }

    private static long decrypted(CallMedia media) {
        return media.stats().streams().stream().mapToLong(CallStats.Stream::decrypted).sum();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(10);
        }
    }
}
