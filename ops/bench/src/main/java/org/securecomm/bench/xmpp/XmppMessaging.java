package org.securecomm.bench.xmpp;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.HdrHistogram.Recorder;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.sm.predicates.Predicate;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.securecomm.bench.CpuWindow;
import org.securecomm.bench.MessagingFigures;

/**
 * The ejabberd side of the messaging comparison, through Smack (XMPP over plain TCP on loopback):
 * P senders each send M chat messages whose body is the base64 of the same opaque payload, keeping up
 * to {@code window} unacknowledged; "accepted" is the server's XEP-0198 acknowledgement (Smack asks
 * for one after every message). Offline: the recipients never logged in, so ejabberd's mod_offline
 * stores every message in mnesia (a disc_only_copies table, written to the OS without fsync) inside
 * the sender's session before it counts the stanza as handled; then the recipients log in and their
 * queues are flushed to them. Online: recipients are connected and ejabberd routes in memory (no
 * persistence at all).
 */
public final class XmppMessaging {

    public static final String PASSWORD = "pw";
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String SM_REQUEST = "<r xmlns='urn:xmpp:sm:3'/>";

    private final EjabberdServer server;
    private final int pairs;
    private final int messages;
    private final int window;
    private final String body;
    private final int loginConcurrency;

    public XmppMessaging(EjabberdServer server, int pairs, int messages, int payloadBytes, int window) {
        this.server = server;
        this.pairs = pairs;
        this.messages = messages;
        this.window = window;
        byte[] payload = new byte[payloadBytes];
        new SecureRandom().nextBytes(payload); // ciphertext looks random
        this.body = Base64.getEncoder().encodeToString(payload);
        this.loginConcurrency = 8;
        SmackConfiguration.DEBUG = false;
        SmackConfiguration.setDefaultReplyTimeout(60_000);
        // Smack warns about its own bounded async executor under load; the figures say what matters.
        Logger.getLogger("org.jivesoftware.smack").setLevel(Level.SEVERE);
    }

    /** Runs one comparison round on fresh users ({@code tag} keeps rounds apart); prints progress to stdout. */
    public MessagingFigures run(String tag, boolean online) throws Exception {
        server.api().register(2 * pairs, i -> user(tag, i), PASSWORD, 64);
        EntityBareJid[] recipients = new EntityBareJid[pairs];
        for (int p = 0; p < pairs; p++) {
            recipients[p] = JidCreate.entityBareFrom(user(tag, 2 * p + 1) + "@" + server.domain());
        }
        Received received = new Received(pairs);
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(loginConcurrency, pairs));
        List<XMPPTCPConnection> open = new ArrayList<>();
        try {
            List<XMPPTCPConnection> senders = login(workers, tag, 0, null, open);
            if (online) {
                login(workers, tag, 1, received, open);
            }
            Recorder acceptMicros = new Recorder(3);
            LongAdder acceptedCount = new LongAdder();
            CountDownLatch allAccepted = new CountDownLatch(pairs * messages);
            AtomicLong lastAccepted = new AtomicLong();
            Map<String, Long> pids = Map.of("ejabberd", server.pid(), "load generator", ProcessHandle.current().pid());
            System.out.printf("  ejabberd %s: %d senders x %d messages%s%n", online ? "online" : "offline", pairs, messages,
                    online ? " to connected recipients" : " to recipients who are not connected");
            CpuWindow storeCpu = CpuWindow.start(pids, Set.of("ejabberd"));
            long start = System.nanoTime();
            List<Future<?>> sending = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                int pair = p;
                sending.add(workers.submit(() -> {
                    send(senders.get(pair), pair, recipients[pair], acceptMicros, acceptedCount, allAccepted, lastAccepted);
                    return null;
                }));
            }
            for (Future<?> f : sending) {
                f.get(PHASE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            boolean complete = allAccepted.await(PHASE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long storeEnd = online ? received.awaitAll((long) pairs * messages, PHASE_TIMEOUT) : lastAccepted.get();
            CpuWindow.Usage storeUsage = storeCpu.stop();
            double storeSeconds = (Math.max(storeEnd, start) - start) / 1e9;
            if (!complete) {
                System.out.println("  ejabberd: only " + acceptedCount.sum() + " of " + (long) pairs * messages + " acknowledged in " + PHASE_TIMEOUT);
            }
            long stored = 0;
            double drainSeconds = 0;
            CpuWindow.Usage drainUsage = null;
            if (!online) {
                for (int p = 0; p < pairs; p++) {
                    stored += server.api().offlineCount(user(tag, 2 * p + 1));
                }
                System.out.printf("  ejabberd: %,d acknowledged, %,d in offline storage; recipients log in...%n", acceptedCount.sum(), stored);
                CpuWindow drainCpu = CpuWindow.start(pids, Set.of("ejabberd"));
                long drainStart = System.nanoTime();
                login(workers, tag, 1, received, open);
                long drainEnd = received.awaitAll(acceptedCount.sum(), PHASE_TIMEOUT);
                drainUsage = drainCpu.stop();
                drainSeconds = (Math.max(drainEnd, drainStart) - drainStart) / 1e9;
            }
            Message sample = message(0, 0, recipients[0]);
            int up = (sample.toXML().toString() + SM_REQUEST).getBytes(StandardCharsets.UTF_8).length;
            return new MessagingFigures("ejabberd", online, pairs, (long) pairs * messages, acceptedCount.sum(),
                    online ? storeSeconds : (lastAccepted.get() - start) / 1e9, acceptMicros.getIntervalHistogram(), storeUsage, stored,
                    received.distinct.sum(), received.duplicates.sum(), online ? storeSeconds : drainSeconds, drainUsage, up,
                    received.sampleBytes, "none");
        } finally {
            open.forEach(XMPPTCPConnection::disconnect);
            workers.shutdownNow();
        }
    }

    static String user(String tag, int i) {
        return tag + (i % 2 == 0 ? "s" : "r") + i / 2;
    }

    /** Logs in the senders (side 0) or the recipients (side 1) of every pair, a few at a time. */
    private List<XMPPTCPConnection> login(ExecutorService workers, String tag, int side, Received received,
                                          List<XMPPTCPConnection> open) throws Exception {
        Semaphore slots = new Semaphore(loginConcurrency);
        List<Future<XMPPTCPConnection>> logins = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            int pair = p;
            slots.acquire();
            logins.add(workers.submit(() -> {
                try {
                    XMPPTCPConnection c = connection(user(tag, 2 * pair + side));
                    if (received != null) {
                        // before login: the offline queue follows the initial presence at once
                        c.addStanzaListener(s -> received.add(pair, s), s -> s instanceof Message && ((Message) s).getBody() != null);
                    }
                    c.connect().login();
                    if (!c.isSmEnabled()) {
                        throw new IllegalStateException("ejabberd did not enable XEP-0198 stream management");
                    }
                    return c;
                } finally {
                    slots.release();
                }
            }));
        }
        List<XMPPTCPConnection> result = new ArrayList<>();
        for (Future<XMPPTCPConnection> login : logins) {
            XMPPTCPConnection c = login.get(PHASE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            result.add(c);
            synchronized (open) {
                open.add(c);
            }
        }
        return result;
    }

    private XMPPTCPConnection connection(String user) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(server.domain())
                .setHostAddress(InetAddress.getLoopbackAddress()).setPort(server.c2sPort())
                .setSecurityMode(SecurityMode.disabled) // plain TCP on loopback, like the relay's ws://
                .setUsernameAndPassword(user, PASSWORD).setResource("bench")
                .setSendPresence(true).setCompressionEnabled(false).build());
        c.setUseStreamManagement(true);
        c.setReplyTimeout(60_000);
        c.addRequestAckPredicate(Predicate.forMessagesOrAfter5Stanzas()); // <r/> after every message
        return c;
    }

    private Message message(int pair, int seq, EntityBareJid to) {
        return StanzaBuilder.buildMessage("p" + pair + "-" + seq).to(to).ofType(Message.Type.chat).setBody(body).build();
    }

    private void send(XMPPTCPConnection c, int pair, EntityBareJid to, Recorder acceptMicros, LongAdder accepted,
                      CountDownLatch allAccepted, AtomicLong lastAccepted) throws Exception {
        Semaphore inFlight = new Semaphore(window);
        long[] sentAt = new long[messages];
        c.addStanzaAcknowledgedListener(stanza -> {
            int seq = sequence(stanza);
            if (seq < 0) {
                return;
            }
            long now = System.nanoTime();
            acceptMicros.recordValue(Math.max(0, (now - sentAt[seq]) / 1000));
            accepted.increment();
            lastAccepted.accumulateAndGet(now, Math::max);
            allAccepted.countDown();
            inFlight.release();
        });
        for (int seq = 0; seq < messages; seq++) {
            if (!inFlight.tryAcquire(PHASE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("no XEP-0198 acknowledgement for " + PHASE_TIMEOUT);
            }
            sentAt[seq] = System.nanoTime();
            c.sendStanza(message(pair, seq, to));
        }
    }

    /** The sequence number in a benchmark stanza id "pPAIR-SEQ", -1 for other stanzas. */
    static int sequence(Stanza stanza) {
        String id = stanza.getStanzaId();
        int dash = id == null ? -1 : id.indexOf('-');
        if (!(stanza instanceof Message) || dash < 0 || !id.startsWith("p")) {
            return -1;
        }
        return Integer.parseInt(id.substring(dash + 1));
    }

    /** What recipients got, by pair and sequence number: distinct ids and repeats. */
    private static final class Received {
        final BitSet[] seen;
        final LongAdder distinct = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final AtomicLong last = new AtomicLong();
        final AtomicBoolean sampled = new AtomicBoolean();
        volatile int sampleBytes;

        Received(int pairs) {
            seen = new BitSet[pairs];
            for (int p = 0; p < pairs; p++) {
                seen[p] = new BitSet();
            }
        }

        void add(int pair, Stanza stanza) {
            int seq = sequence(stanza);
            if (seq < 0) {
                return;
            }
            boolean repeat;
            synchronized (seen[pair]) {
                repeat = seen[pair].get(seq);
                seen[pair].set(seq);
            }
            if (repeat) {
                duplicates.increment();
            } else {
                distinct.increment();
            }
            last.accumulateAndGet(System.nanoTime(), Math::max);
            if (sampled.compareAndSet(false, true)) {
                sampleBytes = stanza.toXML().toString().getBytes(StandardCharsets.UTF_8).length; // as Smack re-serializes it
            }
        }

        /**
         * Waits until {@code expected} distinct messages arrived, the time is up or nothing arrived for
         * 30 s; answers the last arrival time.
         */
        long awaitAll(long expected, Duration timeout) throws InterruptedException {
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            while (distinct.sum() < expected && System.nanoTime() < deadline
                    && System.nanoTime() - Math.max(start, last.get()) < STALL_NANOS) {
                Thread.sleep(5);
            }
            return last.get();
        }
    }
}
