package org.securecomm.ops.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Entry point of the Cassandra child JVM.
 *
 * <p>The parent holds the write end of our stdin. When the parent closes it, or dies in any way
 * (even {@code kill -9}), stdin reaches EOF and we exit; Cassandra's own shutdown hook then drains
 * the node. This is the only way a child can notice a SIGKILLed parent without polling.
 *
 * <p>Cassandra is invoked by reflection so this module has no compile dependency on it.
 */
public final class CassandraChildMain {

    static final String DAEMON_CLASS = "org.apache.cassandra.service.CassandraDaemon";

    /** Bound on Cassandra's drain after EOF: an orphan must never outlive its parent for long. */
    private static final long EXIT_GUARD_MILLIS = 50_000;

    private CassandraChildMain() {
    }

    public static void main(String[] args) throws Throwable {
        Thread watcher = new Thread(CassandraChildMain::exitOnStdinEof, "parent-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();

        Method daemonMain = Class.forName(DAEMON_CLASS).getMethod("main", String[].class);
        try {
            daemonMain.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void exitOnStdinEof() {
        byte[] buffer = new byte[256];
        try (InputStream in = System.in) {
            while (in.read(buffer) >= 0) {
                // Input is ignored: only EOF (the parent went away) matters.
            }
        } catch (IOException e) {
            // A broken pipe means the same as EOF: the parent is gone.
        }
        Thread guard = new Thread(CassandraChildMain::haltAfterGuardDelay, "exit-guard");
        guard.setDaemon(true);
        guard.start();
        System.exit(0);
    }

    private static void haltAfterGuardDelay() {
        try {
            Thread.sleep(EXIT_GUARD_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // A shutdown hook that hangs would otherwise leave the orphan holding ports and the data dir.
        Runtime.getRuntime().halt(3);
    }
}
