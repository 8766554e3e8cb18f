package org.securecomm.federation;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.securecomm.federation.testing.StaticKeySource;
import org.securecomm.protocol.federation.v1.SignedRequest;

/**
 * Prints, on one thread (so: per core), Ed25519 request signatures per second and complete
 * {@link RequestVerifier} verifications per second (parse, policy, rate, skew, key look-up from a
 * cached description, signature, digest, replay guard). A program, not a test: figures depend on the
 * machine. Run from the repository root after {@code ./mvnw -o -q install -DskipTests -pl protocol}:
 *
 * <pre>
 * ./mvnw -o -q test-compile -pl federation &amp;&amp; ./mvnw -o -q dependency:build-classpath -pl federation -Dmdep.outputFile=/tmp/fed.cp &amp;&amp; \
 *   java -cp federation/target/test-classes:federation/target/classes:$(cat /tmp/fed.cp) org.securecomm.federation.SignatureBenchmark
 * </pre>
 */
public final class SignatureBenchmark {

    private static final byte[] BODY = new byte[1024];

    private SignatureBenchmark() {
    }

    public static void main(String[] args) {
        Instant now = Instant.now();
        ServerKeyPair key = ServerKeyPair.generate("ed25519:bench", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        PeerDescription origin = new PeerDescription("a.example", URI.create("https://fed.a.example"), List.of(key.toServerKey()),
                now.plus(Duration.ofDays(1)));
        KeySource cached = StaticKeySource.of(origin);
        int requests = 20_000;
        // Measuring verification needs distinct transaction ids: sign them all first.
        byte[][] signed = new byte[requests * 2][];
        for (int i = 0; i < signed.length; i++) {
            signed[i] = RequestSigner.sign(key, "a.example", "b.example", "transaction", BODY, now).toByteArray();
        }

        for (int round = 0; round < 2; round++) {
            String label = round == 0 ? "warm-up" : "measured";
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                SignedRequest request = RequestSigner.sign(key, "a.example", "b.example", "transaction", BODY, now);
                if (request.getSignature().isEmpty()) {
                    throw new AssertionError();
                }
            }
            double signPerSecond = requests / ((System.nanoTime() - start) / 1e9);

            byte[] message = RequestSigner.sign(key, "a.example", "b.example", "transaction", BODY, now).getHeader().toByteArray();
            byte[] signature = key.sign(FederationSignatures.REQUEST_CONTEXT, message);
            byte[] publicKey = key.publicKey();
            start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                if (!FederationSignatures.verify(publicKey, FederationSignatures.REQUEST_CONTEXT, message, signature)) {
                    throw new AssertionError();
                }
            }
            double rawPerSecond = requests / ((System.nanoTime() - start) / 1e9);

            RequestVerifier verifier = new RequestVerifier("b.example", Duration.ofMinutes(5),
                    new PeerPolicy(Set.of(), Set.of(), 1 << 20, 1e9, Integer.MAX_VALUE, 16),
                    new ReplayGuard(Duration.ofMinutes(5), requests * 2), cached, Clock.fixed(now, ZoneOffset.UTC));
            start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                verifier.verify(signed[round * requests + i], "transaction").toCompletableFuture().join();
            }
            double verifyPerSecond = requests / ((System.nanoTime() - start) / 1e9);
            System.out.printf("%-8s signatures/s: %,.0f   Ed25519 verifications/s: %,.0f   full RequestVerifier verifications/s (1 KiB body): %,.0f%n",
                    label, signPerSecond, rawPerSecond, verifyPerSecond);
        }
    }
}
