package org.securecomm.bench.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.securecomm.bench.MessagingFigures;

/** A real ejabberd from Debian's package (installed when missing, as root), started and stopped by each test. */
class EjabberdServerTest {

    @Test
    void deliversMessagesStoredForAnOfflineUserOnLoginAndStopsLeavingNoProcess() throws Exception {
        long pid;
        Path dir;
        try (EjabberdServer server = EjabberdServer.start(EjabberdServer.Options.defaults().withMaxConnections(100))) {
            pid = server.pid();
            dir = server.workDir();
            assertTrue(server.isAlive());
            // 2 senders x 5 messages to recipients who never logged in: stored, then flushed to them on login
            MessagingFigures figures = new XmppMessaging(server, 2, 5, 64, 4).run("t", false);
            assertEquals(10, figures.accepted());
            assertEquals(10, figures.stored(), "mod_offline holds every acknowledged message");
            assertEquals(10, figures.delivered());
            assertEquals(0, figures.duplicates());
            assertEquals(0, server.api().offlineCount(XmppMessaging.user("t", 1)), "the queue is empty once delivered");

            // the raw client: one authenticated session the server counts, and a wrong password refused
            server.api().register(1, EjabberdIdle::user, XmppMessaging.PASSWORD, 1);
            try (XmppIdleClients clients = new XmppIdleClients(server.c2sPort(), server.domain(), XmppMessaging.PASSWORD,
                    Duration.ofSeconds(1));
                 XmppIdleClients wrong = new XmppIdleClients(server.c2sPort(), server.domain(), "not-the-password", Duration.ofSeconds(1))) {
                clients.connect(EjabberdIdle.user(0), InetAddress.getLoopbackAddress()).get(30, TimeUnit.SECONDS);
                Thread.sleep(2500); // two whitespace keepalives
                assertEquals(1, clients.ready());
                assertEquals(1, server.api().connectedUsers());
                ExecutionException refused = assertThrows(ExecutionException.class,
                        () -> wrong.connect(EjabberdIdle.user(0), InetAddress.getLoopbackAddress()).get(30, TimeUnit.SECONDS));
                assertTrue(refused.getCause().getMessage().contains("failure"), refused.getCause().getMessage());
            }
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "beam.smp " + pid + " is still running");
        assertFalse(Files.exists(dir), "the work directory is deleted");
    }

    @Test
    void aMissingErlangRuntimeIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EjabberdServer.start(EjabberdServer.Options.defaults().withErl(Path.of("/nonexistent/bin/erl"))));
        assertTrue(e.getMessage().contains("/nonexistent/bin/erl") && e.getMessage().contains("apt-get install"), e.getMessage());
    }

    @Test
    void aBadConfigFailsWithTheEndOfEjabberdsLog() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EjabberdServer.start(EjabberdServer.Options.defaults().withExtraConfig("no_such_option_at_all: 1")));
        assertTrue(e.getMessage().contains("exited before listening on ports"), e.getMessage());
        assertTrue(e.getMessage().contains("no_such_option_at_all"), "the log says why: " + e.getMessage());
    }
}
