package org.securecomm.ops.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the node's cassandra.yaml and logback.xml. cassandra-all ships neither, and both are
 * rewritten on every start so ports and paths always match this run.
 */
final class ConfigFiles {

    /** Data directories under the data dir; they survive restarts, the conf files do not. */
    static final List<String> DATA_SUBDIRS = List.of("data", "commitlog", "saved_caches", "hints", "cdc_raw");

    private ConfigFiles() {
    }

    static void write(NodeConfig config) {
        try {
            Files.createDirectories(config.confDir());
            Files.createDirectories(config.logDir());
            for (String sub : DATA_SUBDIRS) {
                Files.createDirectories(config.dataDir().resolve(sub));
            }
            Files.writeString(config.cassandraYaml(), cassandraYaml(config), StandardCharsets.UTF_8);
            Files.writeString(config.logbackXml(), logbackXml(config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Cassandra config under " + config.dataDir(), e);
        }
    }

    /** Cassandra 5.0 key names (with units); a single small node that only listens on loopback. */
    static String cassandraYaml(NodeConfig c) {
        Path d = c.dataDir();
        return """
                # Written by securecomm-cassandra-launcher on every start: edits are overwritten.
                cluster_name: 'securecomm-dev'
                num_tokens: 1
                partitioner: org.apache.cassandra.dht.Murmur3Partitioner
                endpoint_snitch: SimpleSnitch

                data_file_directories:
                  - %s
                commitlog_directory: %s
                saved_caches_directory: %s
                hints_directory: %s
                cdc_raw_directory: %s

                commitlog_sync: periodic
                commitlog_sync_period: 10000ms
                commitlog_segment_size: 32MiB

                seed_provider:
                  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
                    parameters:
                      - seeds: "%s:%d"

                listen_address: %s
                rpc_address: %s
                storage_port: %d
                native_transport_port: %d
                start_native_transport: true

                # Single dev node: no snapshots on drop/truncate, no hints (there is no other replica).
                auto_snapshot: false
                hinted_handoff_enabled: false

                # Small footprint: the dev node shares the machine with the relay and tests.
                concurrent_reads: 8
                concurrent_writes: 8
                concurrent_counter_writes: 8
                concurrent_materialized_view_writes: 8
                concurrent_compactors: 1
                key_cache_size: 8MiB
                counter_cache_size: 4MiB
                file_cache_size: 32MiB
                networking_cache_size: 16MiB
                memtable_heap_space: 64MiB
                memtable_offheap_space: 64MiB
                """.formatted(
                yamlString(d.resolve("data")),
                yamlString(d.resolve("commitlog")),
                yamlString(d.resolve("saved_caches")),
                yamlString(d.resolve("hints")),
                yamlString(d.resolve("cdc_raw")),
                c.host(), c.storagePort(),
                c.host(), c.host(),
                c.storagePort(), c.nativePort());
    }

    /** INFO and above to a size-bounded rolling system.log; nothing to the console. */
    static String logbackXml(NodeConfig c) {
        String log = xmlText(c.systemLog().toString());
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Written by securecomm-cassandra-launcher on every start: edits are overwritten. -->
                <configuration scan="false" debug="false">
                  <appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender">
                    <file>%s</file>
                    <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">
                      <fileNamePattern>%s.%%i.zip</fileNamePattern>
                      <minIndex>1</minIndex>
                      <maxIndex>3</maxIndex>
                    </rollingPolicy>
                    <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy">
                      <maxFileSize>20MB</maxFileSize>
                    </triggeringPolicy>
                    <encoder>
                      <pattern>%%-5level [%%thread] %%date{ISO8601} %%logger{0} - %%msg%%n</pattern>
                    </encoder>
                  </appender>
                  <root level="INFO">
                    <appender-ref ref="SYSTEMLOG"/>
                  </root>
                </configuration>
                """.formatted(log, log);
    }

    /** Single-quoted YAML scalar: only the quote itself needs escaping. */
    static String yamlString(Path path) {
        return "'" + path.toString().replace("'", "''") + "'";
    }

    private static String xmlText(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
