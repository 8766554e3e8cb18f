package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestRelays;

/**
 * The shipped schema (ops/schema/securecomm.cql) is the one the persistence plugin expects: each
 * table the plugin would create with our configuration is in the file, column for column.
 */
class CqlSchemaTest {

    @Test
    void shippedSchemaMatchesThePluginsTables() {
        ActorTestKit testKit = ActorTestKit.create("CqlSchemaTest",
                TestRelays.config(SharedCassandra.get(), TestRelays.newIdentifierKey(), Map.of()));
        try {
            KeyspaceAndTableStatements plugin = new KeyspaceAndTableStatements(testKit.system(), "pekko.persistence.cassandra",
                    org.apache.pekko.persistence.cassandra.PluginSettings.apply(
                            org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system())));
            List<String> expected = new java.util.ArrayList<>(plugin.getCreateJournalTablesStatements());
            expected.addAll(plugin.getCreateSnapshotTablesStatements());
            Set<String> shipped = CqlSchema.statements().stream().map(CqlSchemaTest::normalize).collect(Collectors.toSet());
            for (String statement : expected) {
                String table = normalize(statement).replaceAll("(?s)^create table if not exists ([a-z0-9_.]+).*", "$1");
                if (table.endsWith(".tag_views") || table.endsWith(".tag_write_progress") || table.endsWith(".tag_scanning")
                        || table.endsWith(".all_persistence_ids")) {
                    continue; // events-by-tag and persistence-id queries are switched off in reference.conf
                }
                assertTrue(shipped.stream().anyMatch(s -> columns(s).equals(columns(normalize(statement)))),
                        "ops/schema/securecomm.cql lacks or differs from: " + statement);
            }
            assertEquals(4, CqlSchema.statements().size());
        } finally {
            testKit.shutdownTestKit();
        }
    }

    private static String normalize(String cql) {
        return cql.toLowerCase().replaceAll("\\s+", " ").replace("( ", "(").replace(" )", ")").strip();
    }

    /** Table name and column definitions, ignoring table options like compaction. */
    private static String columns(String createTable) {
        int end = createTable.lastIndexOf(')');
        return createTable.substring(0, end + 1).replace(" ", "");
    }
}
