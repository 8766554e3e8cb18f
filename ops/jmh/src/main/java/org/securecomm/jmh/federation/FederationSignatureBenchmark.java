package org.securecomm.jmh.federation;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.securecomm.federation.KeySource;
import org.securecomm.federation.PeerDescription;
import org.securecomm.federation.PeerPolicy;
import org.securecomm.federation.ReplayGuard;
import org.securecomm.federation.RequestSigner;
import org.securecomm.federation.RequestVerifier;
import org.securecomm.federation.ServerKeyPair;
import org.securecomm.federation.VerifiedRequest;
import org.securecomm.jmh.frame.Frames;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.federation.v1.EnvelopeDelivery;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.RemoteEnvelope;
import org.securecomm.protocol.federation.v1.Transaction;

/**
 * One federation request between two relays, as the non-JMH federation SignatureBenchmark measures
 * it: the origin signs (Ed25519 over the header with the body's SHA-256, fresh transaction id) and
 * the destination runs the whole {@link RequestVerifier} (parse, policy, rate, skew, key from a
 * cached description, signature, digest, replay guard). The body is a typical transaction: one
 * PDU carrying a 256-byte envelope for each of two devices of one account.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FederationSignatureBenchmark {

    static final String ORIGIN = "a.example";
    static final String DESTINATION = "b.example";
    static final String OPERATION = "transaction";
    /**
     * Requests signed ahead for {@link #verify}: the replay guard accepts each transaction id once,
     * so after the last one a fresh verifier (and guard) starts over.
     */
    static final int RING = 4096;

    private ServerKeyPair key;
    private KeySource keys;
    private Instant now;
    private byte[] body;
    /** {@link #RING}; a test makes it short. */
    int ring = RING;
    private byte[][] signed;
    private RequestVerifier verifier;
    private int next;

    @Setup
    public void setUp() {
        now = Instant.now();
        key = ServerKeyPair.generate("ed25519:jmh", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        PeerDescription origin = new PeerDescription(ORIGIN, URI.create("https://fed." + ORIGIN), List.of(key.toServerKey()),
                now.plus(Duration.ofDays(1)));
        keys = new CachedKeys(origin);
        body = transaction(new Random(5)).toByteArray();
        signed = new byte[ring][];
        for (int i = 0; i < ring; i++) {
            signed[i] = sign();
        }
        verifier = newVerifier();
    }

    /** @return the signed request as sent over HTTPS */
    @Benchmark
    public byte[] sign() {
        return RequestSigner.sign(key, ORIGIN, DESTINATION, OPERATION, body, now).toByteArray();
    }

    @Benchmark
    public VerifiedRequest verify() {
        if (next == ring) {
            verifier = newVerifier();
            next = 0;
        }
        // The key source answers from memory: the stage is complete when verify returns.
        return verifier.verify(signed[next++], OPERATION).toCompletableFuture().join();
    }

    /** Policy limits high enough that the benchmark is never rate-limited; the relay's skew of 5 minutes. */
    RequestVerifier newVerifier() {
        return new RequestVerifier(DESTINATION, Duration.ofMinutes(5),
                new PeerPolicy(Set.of(), Set.of(), 1 << 20, 1e9, Integer.MAX_VALUE, 16),
                new ReplayGuard(Duration.ofMinutes(5), RING), keys, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static Transaction transaction(Random random) {
        EnvelopeDelivery.Builder delivery = EnvelopeDelivery.newBuilder()
                .setSourceAddress(Frames.SENDER.replace("relay.example", ORIGIN))
                .setSourceDevice(1)
                .setDestination(Frames.DESTINATION.replace("relay.example", DESTINATION))
                .setClientTimestamp(1_764_470_000_000L)
                .setServerTimestamp(1_764_470_000_012L)
                .setUrgent(true)
                .setMessageId(ByteString.copyFrom(Frames.randomBytes(16, random)));
        for (int device = 1; device <= 2; device++) {
            delivery.addEnvelopes(RemoteEnvelope.newBuilder()
                    .setId(EnvelopeIds.toBytes(UUID.randomUUID()))
                    .setDeviceId(device)
                    .setRegistrationId(1 + random.nextInt(16_380))
                    .setType(EnvelopeType.CIPHERTEXT)
                    .setContent(ByteString.copyFrom(Frames.randomBytes(Frames.CONTENT_BYTES, random))));
        }
        return Transaction.newBuilder().addPdus(Pdu.newBuilder().setSequence(1).setEnvelopes(delivery)).build();
    }

    byte[] body() {
        return body;
    }

    /** The origin's description as the relay's cache holds it after the first request. */
    private static final class CachedKeys implements KeySource {

        private final PeerDescription origin;

        CachedKeys(PeerDescription origin) {
            this.origin = origin;
        }

        @Override
        public CompletionStage<PeerDescription> describe(String domain) {
            return CompletableFuture.completedFuture(origin);
        }

        @Override
        public CompletionStage<PeerDescription> refresh(String domain) {
            return describe(domain);
        }
    }
}
