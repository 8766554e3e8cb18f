package org.securecomm.desktop;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.account.PreKeys;
import org.securecomm.client.messaging.Bundles;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.client.v1.UploadKeys;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;

/**
 * Client-side cost (docs/BENCHMARKS.md, "Client SDK"): messages per second one device encrypts and
 * decrypts with its sealed SQLite store, and the end-to-end latency from send() to the message
 * being committed in the receiving device's store, through a local relay on a local Cassandra.
 * A program, not a test: {@code ClientBenchmark [messages] [latency-samples]}.
 */
public final class ClientBenchmark {

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        Path dir = Files.createTempDirectory("securecomm-bench");
        cryptoThroughput(dir, messages);
        latency(dir, samples);
        System.exit(0);
    }

    private static void cryptoThroughput(Path dir, int messages) throws Exception {
        try (ProfileStore aliceDb = ProfileStore.create(dir.resolve("a"), "a".toCharArray(), 1024, 1);
             ProfileStore bobDb = ProfileStore.create(dir.resolve("b"), "b".toCharArray(), 1024, 1)) {
            ProtocolStore alice = new ProtocolStore(aliceDb, Clock.systemUTC());
            alice.setLocalIdentity(IdentityKeyPair.generate(), 1, "alice@bench");
            ProtocolStore bob = new ProtocolStore(bobDb, Clock.systemUTC());
            bob.setLocalIdentity(IdentityKeyPair.generate(), 2, "bob@bench");
            UploadKeys keys = new PreKeys(bobDb, bob, Clock.systemUTC(), PreKeys.DEFAULT_ROTATION).initialUpload();
            var bundle = org.securecomm.protocol.client.v1.PreKeyBundles.newBuilder().setIdentityKey(keys.getIdentityKey())
                    .addDevices(org.securecomm.protocol.client.v1.DevicePreKeyBundle.newBuilder().setDeviceId(1).setRegistrationId(2)
                            .setSignedPreKey(keys.getSignedPreKey()).setOneTimePreKey(keys.getOneTimePreKeys(0))
                            .setKyberPreKey(keys.getKyberPreKeys(0))).build();
            SignalProtocolAddress bobAddress = new SignalProtocolAddress("bob@bench", 1);
            SignalProtocolAddress aliceAddress = new SignalProtocolAddress("alice@bench", 1);
            new SessionBuilder(alice, alice, alice, alice, bobAddress).process(Bundles.toLibsignal(bundle, bundle.getDevices(0)));
            SessionCipher encrypting = new SessionCipher(alice, alice, alice, alice, alice, bobAddress);
            SessionCipher decrypting = new SessionCipher(bob, bob, bob, bob, bob, aliceAddress);
            byte[] text = "a typical short chat message of about sixty bytes, give or take".getBytes(StandardCharsets.UTF_8);
            decrypting.decrypt(new PreKeySignalMessage(encrypting.encrypt(text).serialize()));
            // a reply completes the handshake, so what follows are plain ratchet messages
            encrypting.decrypt(new SignalMessage(decrypting.encrypt(text).serialize()));
            // Each message is a reply-free burst, like a chat message stream in one direction.
            byte[][] ciphertexts = new byte[messages][];
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                CiphertextMessage message = encrypting.encrypt(text);
                ciphertexts[i] = message.serialize();
            }
            double encryptSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            for (byte[] ciphertext : ciphertexts) {
                decrypting.decrypt(new SignalMessage(ciphertext));
            }
            double decryptSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("encrypt: %d messages in %.2f s = %.0f msg/s (session load + ratchet + sealed SQLite store)%n",
                    messages, encryptSeconds, messages / encryptSeconds);
            System.out.printf("decrypt: %d messages in %.2f s = %.0f msg/s%n", messages, decryptSeconds, messages / decryptSeconds);
        }
    }

    private static void latency(Path dir, int samples) throws Exception {
        try (SecureCommClient alice = TestClients.register(dir.resolve("alice"), "benchalice");
             SecureCommClient bob = TestClients.register(dir.resolve("bob"), "benchbob")) {
            alice.addContact(bob.address(), "");
            Map<String, Long> storedAt = new ConcurrentHashMap<>();
            CountDownLatch[] next = new CountDownLatch[1];
            bob.onMessage(message -> {
                storedAt.put(message.text(), System.nanoTime());
                next[0].countDown();
            });
            long[] micros = new long[samples];
            for (int i = -20; i < samples; i++) { // 20 warm-up messages
                next[0] = new CountDownLatch(1);
                String text = "latency probe " + i;
                long sent = System.nanoTime();
                alice.send(bob.address(), text);
                if (!next[0].await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("message " + i + " did not arrive");
                }
                if (i >= 0) {
                    micros[i] = (storedAt.get(text) - sent) / 1000;
                }
            }
            Arrays.sort(micros);
            System.out.printf("end-to-end (send() -> committed in the other device's store), %d messages: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    samples, micros[samples / 2] / 1000.0, micros[(int) Math.ceil(samples * 0.99) - 1] / 1000.0,
                    micros[samples - 1] / 1000.0);
        }
    }
}
