package org.securecomm.relay.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinition;
import com.datastax.oss.driver.api.core.cql.Row;
import org.securecomm.ops.cassandra.CassandraNode;
import org.securecomm.relay.node.CqlSchema;

/** Searching stored bytes for canary text in the forms a store or a log would show it. */
public final class Canaries {

    private Canaries() {
    }

    /**
     * The text itself, its hex, and its base64 at the three alignments it can have inside a
     * larger buffer (without the last characters, which depend on the bytes that follow).
     */
    public static List<String> forms(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>(List.of(text, HexFormat.of().formatHex(bytes)));
        for (int shift = 0; shift < 3; shift++) {
            String encoded = Base64.getEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(bytes, shift, bytes.length));
            forms.add(encoded.substring(0, encoded.length() - 4));
        }
        return forms;
    }

    public static boolean contains(byte[] haystack, String form) {
        return contains(haystack, form.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code needle} occurs in {@code haystack} (raw bytes: keys, frames). */
    public static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** What a scan sees of one cell. */
    @FunctionalInterface
    public interface CellVisitor {
        void visit(String table, Row row, String column, byte[] value);
    }

    /** Visits every cell of every table of the relay's keyspace on {@code cassandra}. */
    public static void forEachCell(CassandraNode cassandra, CellVisitor visitor) {
        try (CqlSession session = CqlSchema.session(cassandra.host(), cassandra.nativePort(), "datacenter1")) {
            List<String> tables = session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'securecomm'")
                    .all().stream().map(r -> r.getString("table_name")).toList();
            if (tables.isEmpty()) {
                throw new AssertionError("the relay's keyspace has no tables to scan");
            }
            for (String table : tables) {
                for (Row row : session.execute("SELECT * FROM securecomm." + table)) {
                    for (ColumnDefinition column : row.getColumnDefinitions()) {
                        visitor.visit(table, row, column.getName().asInternal(), bytes(row.getBytesUnsafe(column.getName())));
                    }
                }
            }
        }
    }

    public static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
