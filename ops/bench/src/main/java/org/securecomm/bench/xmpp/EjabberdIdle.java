package org.securecomm.bench.xmpp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.securecomm.bench.CpuWindow;
import org.securecomm.bench.ErrorCounter;
import org.securecomm.bench.IdleFigures;
import org.securecomm.bench.ProcStats;

/**
 * The ejabberd side of the idle connections comparison: C users registered, then C authenticated
 * sessions (bound resource, initial presence) held by {@link XmppIdleClients} with a whitespace
 * keepalive, idle for a while. beam.smp's RSS with the users registered but not connected, and with
 * the sessions open, gives the memory one idle session costs (BEAM has no single heap to compare).
 */
public final class EjabberdIdle {

    /** Source addresses in turn beyond this many connections each (the ephemeral port range is ~28k). */
    private static final int CONNECTIONS_PER_SOURCE = 25_000;

    private final EjabberdServer server;
    private final int connections;
    private final int concurrency;
    private final Duration idle;
    private final Duration heartbeat;

    public EjabberdIdle(EjabberdServer server, int connections, int concurrency, Duration idle, Duration heartbeat) {
        this.server = server;
        this.connections = connections;
        this.concurrency = concurrency;
        this.idle = idle;
        this.heartbeat = heartbeat;
    }

    public IdleFigures run() throws Exception {
        server.api().register(connections, EjabberdIdle::user, XmppMessaging.PASSWORD, 64);
        Thread.sleep(2000); // let the VM settle after the registration burst
        long pid = server.pid();
        OptionalLong rssBefore = ProcStats.rssKib(pid);
        ErrorCounter errors = new ErrorCounter();
        try (XmppIdleClients clients = new XmppIdleClients(server.c2sPort(), server.domain(), XmppMessaging.PASSWORD, heartbeat)) {
            CpuWindow cpu = CpuWindow.start(Map.of("ejabberd", pid, "load generator", ProcessHandle.current().pid()), Set.of("ejabberd"));
            Semaphore slots = new Semaphore(concurrency);
            AtomicInteger connected = new AtomicInteger();
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                slots.acquire();
                clients.connect(user(i), source(i)).whenComplete((ok, e) -> {
                    if (e == null) {
                        connected.incrementAndGet();
                    } else if (errors.total() < 3) {
                        System.out.println("  ejabberd login failed: " + e.getMessage());
                    }
                    if (e != null) {
                        errors.count(e);
                    }
                    slots.release();
                });
            }
            if (!slots.tryAcquire(concurrency, 5, TimeUnit.MINUTES)) {
                System.out.println("  ejabberd: logins still pending after 5 minutes");
            }
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            CpuWindow.Usage usage = cpu.stop();
            System.out.printf("  ejabberd: %,d sessions in %.1f s; the server counts %,d; idle for %d s%n", connected.get(), connectSeconds,
                    server.api().connectedUsers(), idle.toSeconds());
            Thread.sleep(idle.toMillis());
            int stillOpen = clients.ready();
            long sessions = server.api().connectedUsers();
            OptionalLong rssAfter = ProcStats.rssKib(pid);
            return new IdleFigures("ejabberd", connections, connected.get(), connectSeconds, (int) Math.min(stillOpen, sessions),
                    rssBefore, rssAfter, OptionalLong.empty(), OptionalLong.empty(), usage,
                    errors.describe() + "; lost while idle " + clients.lost() + "; server sessions " + sessions);
        }
    }

    static String user(int i) {
        return "idle" + i;
    }

    private static InetAddress source(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (1 + i / CONNECTIONS_PER_SOURCE)});
    }
}
