package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.securecomm.federation.testing.StaticKeySource;
import org.securecomm.protocol.federation.v1.ServerDescription;
import org.securecomm.protocol.federation.v1.ServerKey;
import org.securecomm.protocol.federation.v1.SignedRequest;
import org.securecomm.protocol.federation.v1.SignedServerDescription;

/**
 * Reads the test vectors of docs/federation.md (fenced blocks marked {@code vector}) and checks that
 * signing reproduces every listed byte string and that the verifier gives every listed verdict, in
 * document order with one replay guard. When a derived value differs, the failure message carries
 * the whole block as the code computes it.
 */
class TestVectorsTest {

    private static final Path DOC = Path.of("../docs/federation.md");

    @Test
    void documentedVectorsMatchTheCode() throws IOException {
        List<Map<String, String>> blocks = parse(Files.readString(DOC));
        Map<String, Map<String, String>> keyBlocks = new LinkedHashMap<>();
        Map<String, String> receiver = null;
        int requests = 0;
        int descriptions = 0;
        RequestVerifier verifier = null;
        for (Map<String, String> block : blocks) {
            switch (block.get("type")) {
                case "key":
                    checkKey(block);
                    keyBlocks.put(block.get("name"), block);
                    break;
                case "receiver":
                    receiver = block;
                    verifier = verifier(receiver, keyBlocks);
                    break;
                case "request":
                    checkRequest(block, keyBlocks, verifier);
                    requests++;
                    break;
                case "description":
                    checkDescription(block, keyBlocks, receiver);
                    descriptions++;
                    break;
                default:
                    throw new AssertionError("unknown vector type " + block.get("type"));
            }
        }
        assertTrue(keyBlocks.size() >= 3, "keys");
        assertTrue(requests >= 8, "request vectors: " + requests);
        assertTrue(descriptions >= 1, "description vectors");
    }

    private static void checkKey(Map<String, String> block) {
        ServerKeyPair key = key(block);
        assertDerived(block, Map.of("public_key", Hex.of(key.publicKey())), List.of("public_key"));
    }

    private static void checkRequest(Map<String, String> block, Map<String, Map<String, String>> keys, RequestVerifier verifier) {
        ServerKeyPair key = key(keys.get(block.get("key")));
        byte[] body = Hex.parse(block.get("body"));
        SignedRequest signed = RequestSigner.sign(key, block.get("origin"), block.get("destination"), block.get("operation"), body,
                Instant.ofEpochMilli(Long.parseLong(block.get("timestamp_millis"))), Hex.parse(block.get("transaction_id")));
        byte[] header = signed.getHeader().toByteArray();
        SignedRequest sent = mutate(signed, block.get("mutation"));
        Map<String, String> derived = new LinkedHashMap<>();
        derived.put("body_digest", Hex.of(RequestSigner.sha256(body)));
        derived.put("header", Hex.of(header));
        derived.put("signing_input", Hex.of(FederationSignatures.signingInput(FederationSignatures.REQUEST_CONTEXT, header)));
        derived.put("signature", Hex.of(signed.getSignature().toByteArray()));
        derived.put("signed_request", Hex.of(sent.toByteArray()));
        derived.put("verdict", verdict(verifier, documentedOr(block.get("signed_request"), sent.toByteArray()), block.get("operation")));
        assertDerived(block, derived, List.of("body_digest", "header", "signing_input", "signature", "signed_request", "verdict"));
    }

    private static SignedRequest mutate(SignedRequest signed, String mutation) {
        if (mutation.equals("none")) {
            return signed;
        }
        if (mutation.equals("flip-signature-bit-0")) {
            byte[] signature = signed.getSignature().toByteArray();
            signature[0] ^= 1;
            return signed.toBuilder().setSignature(ByteString.copyFrom(signature)).build();
        }
        if (mutation.startsWith("replace-body ")) {
            return signed.toBuilder().setBody(ByteString.copyFrom(Hex.parse(mutation.substring("replace-body ".length())))).build();
        }
        throw new AssertionError("unknown mutation " + mutation);
    }

    private static String verdict(RequestVerifier verifier, byte[] request, String operation) {
        try {
            verifier.verify(request, operation).toCompletableFuture().join();
            return "ACCEPTED";
        } catch (CompletionException e) {
            return ((FederationRejection) e.getCause()).rejection().name();
        }
    }

    private static void checkDescription(Map<String, String> block, Map<String, Map<String, String>> keys, Map<String, String> receiver) {
        ServerKeyPair signer = key(keys.get(block.get("key")));
        ServerDescription.Builder description = ServerDescription.newBuilder()
                .setDomain(block.get("domain"))
                .setFederationEndpoint(block.get("federation_endpoint"))
                .setIssuedAtMillis(Long.parseLong(block.get("issued_at_millis")))
                .setValidUntilMillis(Long.parseLong(block.get("valid_until_millis")));
        for (String name : block.get("keys").split(",\\s*")) {
            description.addKeys(key(keys.get(name)).toServerKey());
        }
        SignedServerDescription signed = ServerDescriptions.sign(signer, description.build());
        byte[] bytes = signed.getDescription().toByteArray();
        Map<String, String> derived = new LinkedHashMap<>();
        derived.put("description", Hex.of(bytes));
        derived.put("signing_input", Hex.of(FederationSignatures.signingInput(FederationSignatures.DESCRIPTION_CONTEXT, bytes)));
        derived.put("signature", Hex.of(signed.getSignature().toByteArray()));
        derived.put("signed_description", Hex.of(signed.toByteArray()));
        String verdict;
        try {
            ServerDescriptions.verify(documentedOr(block.get("signed_description"), signed.toByteArray()), block.get("domain"), now(receiver));
            verdict = "ACCEPTED";
        } catch (FederationRejection e) {
            verdict = e.rejection().name();
        }
        derived.put("verdict", verdict);
        assertDerived(block, derived, List.of("description", "signing_input", "signature", "signed_description", "verdict"));
    }

    /** The documented bytes; the computed ones while a new vector is being written ("?"). */
    private static byte[] documentedOr(String documented, byte[] computed) {
        return documented.matches("([0-9a-f]{2})+") ? Hex.parse(documented) : computed;
    }

    private static RequestVerifier verifier(Map<String, String> receiver, Map<String, Map<String, String>> keys) {
        Instant now = now(receiver);
        List<ServerKey> published = new ArrayList<>();
        for (Map<String, String> key : keys.values()) {
            if (key.get("published").equals("yes")) {
                published.add(key(key).toServerKey());
            }
        }
        PeerDescription origin = new PeerDescription(receiver.get("origin"), URI.create("https://fed." + receiver.get("origin")), published,
                now.plus(Duration.ofHours(1)));
        KeySource source = StaticKeySource.of(origin);
        Duration skew = Duration.ofMillis(Long.parseLong(receiver.get("allowed_skew_millis")));
        return new RequestVerifier(receiver.get("domain"), skew, PeerPolicy.open(), new ReplayGuard(skew, 1000), source,
                Clock.fixed(now, ZoneOffset.UTC));
    }

    private static Instant now(Map<String, String> receiver) {
        return Instant.ofEpochMilli(Long.parseLong(receiver.get("now_millis")));
    }

    private static ServerKeyPair key(Map<String, String> block) {
        return ServerKeyPair.fromSeed(block.get("key_id"), Hex.parse(block.get("seed")),
                Instant.ofEpochMilli(Long.parseLong(block.get("valid_from_millis"))),
                Instant.ofEpochMilli(Long.parseLong(block.get("expires_at_millis"))));
    }

    /**
     * Fails when any derived field differs from the document; the message (and
     * target/federation-vectors.md) then holds the block as the code computes it.
     */
    private static void assertDerived(Map<String, String> block, Map<String, String> derived, List<String> names) {
        boolean same = names.stream().allMatch(name -> derived.get(name).equals(block.get(name)));
        if (!same) {
            StringBuilder computed = new StringBuilder("```vector\n");
            for (Map.Entry<String, String> field : block.entrySet()) {
                computed.append(field.getKey()).append(": ").append(derived.getOrDefault(field.getKey(), field.getValue())).append('\n');
            }
            computed.append("```\n");
            try {
                Files.writeString(Path.of("target/federation-vectors.md"), computed, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                // Only a convenience for writing new vectors.
            }
            assertEquals(block.toString(), derived.toString(), "vector " + block.get("name") + " differs; as computed:\n" + computed);
        }
    }

    /** The {@code key: value} lines of every fenced block whose info string is "vector". */
    static List<Map<String, String>> parse(String markdown) {
        List<Map<String, String>> blocks = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : markdown.split("\n")) {
            if (current == null && line.strip().equals("```vector")) {
                current = new LinkedHashMap<>();
            } else if (current != null && line.strip().equals("```")) {
                blocks.add(current);
                current = null;
            } else if (current != null) {
                int colon = line.indexOf(':');
                assertTrue(colon > 0, "not a key: value line: " + line);
                String name = line.substring(0, colon).strip();
                assertFalse(current.containsKey(name), "field twice: " + name);
                current.put(name, line.substring(colon + 1).strip());
            }
        }
        assertEquals(null, current, "unterminated vector block");
        assertFalse(blocks.isEmpty(), "no vector blocks in " + DOC.toAbsolutePath());
        return blocks;
    }

    @Test
    void parserReadsBlocks() {
        List<Map<String, String>> blocks = parse("text\n```vector\ntype: key\nname: a\n```\n```\nnot: a vector\n```\n");
        assertEquals(1, blocks.size());
        assertEquals(Arrays.asList("type", "name"), new ArrayList<>(blocks.get(0).keySet()));
    }
}
