package org.securecomm.ops.cassandra;

import java.nio.file.Path;
import java.time.Duration;

/** {@link CassandraNode.Options} with free ports and the JDK chosen: what one start really uses. */
record NodeConfig(Path dataDir, String host, int nativePort, int storagePort, String maxHeap, Path javaHome,
                  Duration startupTimeout) {

    static NodeConfig resolve(CassandraNode.Options options) {
        int[] free = FreePorts.pick(options.host(), 2);
        int nativePort = options.nativePort() != 0 ? options.nativePort() : free[0];
        int storagePort = options.storagePort() != 0 ? options.storagePort() : free[1];
        if (nativePort == storagePort) {
            throw new IllegalArgumentException("nativePort and storagePort are both " + nativePort);
        }
        return new NodeConfig(options.dataDir().toAbsolutePath().normalize(), options.host(), nativePort, storagePort,
                options.maxHeap(), JavaHomes.select(options.javaHome()), options.startupTimeout());
    }

    Path confDir() {
        return dataDir.resolve("conf");
    }

    Path logDir() {
        return dataDir.resolve("logs");
    }

    Path cassandraYaml() {
        return confDir().resolve("cassandra.yaml");
    }

    Path logbackXml() {
        return confDir().resolve("logback.xml");
    }

    Path stdoutLog() {
        return logDir().resolve("stdout.log");
    }

    Path systemLog() {
        return logDir().resolve("system.log");
    }

    Path javaExecutable() {
        return JavaHomes.javaExecutable(javaHome);
    }
}
