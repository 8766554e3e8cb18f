package org.securecomm.desktop.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.securecomm.client.call.media.AudioSource;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.OpusFrameEncoder;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.support.Canaries;

/**
 * The searches of the zero-knowledge tests: secrets (canary texts, SFrame keys) in the forms a
 * store or a log would show them, looked for in every Cassandra cell and file and in the relay
 * log; and pieces of Opus frames looked for in captured datagrams.
 */
public final class ZeroKnowledge {

    /** Bytes an Opus frame must not share with a datagram: long enough to be no coincidence. */
    public static final int OPUS_WINDOW = 12;

    private ZeroKnowledge() {
    }

    /** A secret and the byte strings that would betray it. */
    public record Secret(String name, List<byte[]> forms) {
    }

    /** A canary text: itself, hex, base64 at every alignment, and its 4th word (the random part) alone. */
    public static Secret canary(String text) {
        List<byte[]> forms = new ArrayList<>();
        Canaries.forms(text).forEach(form -> forms.add(form.getBytes(StandardCharsets.UTF_8)));
        forms.add(text.split(" ")[3].getBytes(StandardCharsets.UTF_8));
        return new Secret("canary", forms);
    }

    /** A key (hex): raw, hex, and the first 40 characters of its base64 and base64url. */
    public static Secret key(String hex) {
        byte[] raw = HexFormat.of().parseHex(hex);
        List<byte[]> forms = new ArrayList<>(List.of(raw, hex.getBytes(StandardCharsets.UTF_8)));
        forms.add(Base64.getEncoder().encodeToString(raw).substring(0, 40).getBytes(StandardCharsets.UTF_8));
        forms.add(Base64.getUrlEncoder().encodeToString(raw).substring(0, 40).getBytes(StandardCharsets.UTF_8));
        return new Secret("key " + hex.substring(0, 6) + "...", forms);
    }

    public static List<Secret> keys(Collection<String> hexKeys) {
        return hexKeys.stream().map(ZeroKnowledge::key).toList();
    }

    /** Where any form of any secret is: "table.column" of a cell, or a file under the data directory. */
    public static List<String> searchCassandra(CassandraNode cassandra, List<Secret> secrets) throws IOException {
        List<String> found = new ArrayList<>();
        Canaries.forEachCell(cassandra, (table, row, column, value) -> found.addAll(search(value, secrets, table + "." + column)));
        // Commit-log segments are memory-mapped: what Cassandra wrote is readable without stopping it.
        try (Stream<Path> files = Files.walk(cassandra.dataDir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                found.addAll(search(Files.readAllBytes(file), secrets, file.toString()));
            }
        }
        return found;
    }

    /** The relay nodes' log of this test JVM (logback-test.xml). */
    public static Path relayLog() {
        return Path.of(System.getProperty("relay.test.log", "target/relay-test.log"));
    }

    /** Where any form of any secret is in {@code haystack}: one "where (secret)" per secret found. */
    public static List<String> search(byte[] haystack, List<Secret> secrets, String where) {
        List<String> found = new ArrayList<>();
        for (Secret secret : secrets) {
            if (secret.forms().stream().anyMatch(form -> Canaries.contains(haystack, form))) {
                found.add(where + " (" + secret.name() + ")");
            }
        }
        return found;
    }

    /** Every {@link #OPUS_WINDOW}-byte piece of every frame the SDK's encoder makes of {@code source} (closed here). */
    public static Set<ByteBuffer> opusPieces(AudioSource source) throws Exception {
        Set<ByteBuffer> pieces = new HashSet<>();
        OpusFrameEncoder encoder = new OpusFrameEncoder(32_000);
        try (source) {
            short[] frame = new short[CallAudio.FRAME_SAMPLES];
            while (source.read(frame) > 0) {
                byte[] opus = encoder.encode(frame);
                for (int i = 0; i + OPUS_WINDOW <= opus.length; i++) {
                    pieces.add(ByteBuffer.wrap(Arrays.copyOfRange(opus, i, i + OPUS_WINDOW)));
                }
            }
        }
        return pieces;
    }

    /** How many of {@code datagrams} hold a piece of an Opus frame. */
    public static long holdingOpus(Collection<byte[]> datagrams, Set<ByteBuffer> pieces) {
        return datagrams.stream().filter(d -> containsAny(d, pieces)).count();
    }

    private static boolean containsAny(byte[] datagram, Set<ByteBuffer> pieces) {
        for (int i = 0; i + OPUS_WINDOW <= datagram.length; i++) {
            if (pieces.contains(ByteBuffer.wrap(datagram, i, OPUS_WINDOW).slice())) {
                return true;
            }
        }
        return false;
    }
}
