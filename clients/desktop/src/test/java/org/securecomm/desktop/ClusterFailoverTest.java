package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.ClientOptions;
import org.securecomm.client.ConnectionEvent;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.messaging.DeliveryFailureNotice;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.RequestVerificationCode;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.InProcessCluster;

/**
 * A two-node relay cluster in this JVM (one Pekko cluster on the shared Cassandra); every client
 * knows both nodes' URLs. A node leaving gracefully (coordinated shutdown: Closing pushes, shard
 * hand-off) sends its clients to the other node by themselves: every device ends with every
 * message exactly once, nothing the sender's SDK reported sent is missing, and the app sees no
 * error, only connection state changes.
 */
class ClusterFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int MESSAGES = 30;
    private static final int DRAIN_AFTER = 10;
    private static final CapturingCodeSender CODES = new CapturingCodeSender();
    /** Default relay settings: Artery's default frame, as in production. */
    private static final Map<String, Object> RELAY_SETTINGS = Map.of();

    private static ClientOptions options() {
        return TestClients.options().withRandomFirstEndpoint(false)
                .withReconnectBackoff(Duration.ofMillis(250), Duration.ofSeconds(4));
    }

    /**
     * Case A. Alice streams numbered messages to bob's three devices while the node alice and
     * bob's first device use is drained. Bob's second device stays connected to the other node
     * all along, and the drained node is chosen as the one that hosts that device's mailbox: its
     * shard moves to the surviving node, so the test also shows whether a device that stayed
     * connected keeps getting pushes after the shards it depends on moved. Bob's third device is
     * offline during the drain and catches up from its mailbox afterwards.
     */
    @Test
    void drainingANodeMovesItsClientsToTheOtherNodeAndEveryDeviceShowsEveryMessageOnce(@TempDir Path dir) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(2, CODES, RELAY_SETTINGS); Opened opened = new Opened()) {
            warmUp(cluster);
            List<URI> firstThenSecond = List.of(cluster.clientUrl(0), cluster.clientUrl(1));
            SecureCommClient bob1 = opened.add(register(dir.resolve("bob1"), "bob-failover", firstThenSecond));
            SecureCommClient bob2 = opened.add(link(bob1, dir.resolve("bob2"), firstThenSecond));

            // Drain the node that hosts bob's second device's mailbox; that device lives on the other one.
            int drained = hostOf(cluster, Mailbox.TYPE_KEY, Mailbox.entityId(bob2.accountId(), bob2.deviceId()));
            int survivor = 1 - drained;
            List<URI> viaDrained = List.of(cluster.clientUrl(drained), cluster.clientUrl(survivor));
            List<URI> viaSurvivor = List.of(cluster.clientUrl(survivor), cluster.clientUrl(drained));
            System.out.println("bob's device 2 mailbox is on node " + drained + ", bob's session on node "
                    + hostOf(cluster, org.securecomm.relay.session.UserSession.TYPE_KEY, bob2.accountId()) + "; draining node " + drained);
            bob1 = opened.add(moveTo(bob1, viaDrained));
            bob2 = opened.add(moveTo(bob2, viaSurvivor));
            SecureCommClient bob3 = link(bob1, dir.resolve("bob3"), viaDrained);
            Path bob3Profile = bob3.profileDir();
            bob3.close();
            SecureCommClient alice = opened.add(register(dir.resolve("alice"), "alice-failover", viaDrained));
            assertEquals(cluster.clientUrl(drained), alice.connectionState().endpoint());
            assertEquals(cluster.clientUrl(drained), bob1.connectionState().endpoint());
            assertEquals(cluster.clientUrl(survivor), bob2.connectionState().endpoint());

            List<ConnectionEvent> aliceStates = record(alice);
            List<ConnectionEvent> bob1States = record(bob1);
            List<ConnectionEvent> bob2States = record(bob2);
            Map<String, List<String>> shown1 = shown(bob1);
            Map<String, List<String>> shown2 = shown(bob2);
            List<DeliveryFailureNotice> failures = new CopyOnWriteArrayList<>();
            alice.onDeliveryFailure(failures::add);
            alice.addContact(bob1.address(), "Bob");

            List<StoredMessage> sent = new CopyOnWriteArrayList<>();
            List<Throwable> sendErrors = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> drainedAt = new CompletableFuture<>();
            ExecutorService stream = Executors.newSingleThreadExecutor();
            SecureCommClient sender = alice;
            SecureCommClient recipient = bob1;
            try {
                CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= MESSAGES; i++) {
                        try {
                            sent.add(sender.send(recipient.address(), String.format("m-%02d", i)));
                        } catch (RuntimeException e) {
                            sendErrors.add(e);
                        }
                        if (i == DRAIN_AFTER) {
                            drainedAt.complete(null);
                        }
                        sleep(150);
                    }
                }, stream);
                drainedAt.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                cluster.stop(drained); // coordinated shutdown while alice keeps sending
                streaming.get(3 * WAIT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                stream.shutdownNow();
            }

            assertEquals(List.of(), sendErrors, "no send failed for the app during the drain");
            assertEquals(MESSAGES, sent.size());
            Set<String> expected = new HashSet<>();
            sent.forEach(m -> expected.add(m.text()));
            assertEquals(MESSAGES, expected.size());
            for (StoredMessage message : sent) {
                TestClients.await("alice's " + message.text() + " accepted by the relay", WAIT,
                        () -> sender.deliveryState(message) == SecureCommClient.DeliveryState.SENT);
            }
            assertEquals(List.of(), failures, "no delivery failure");

            // Alice and bob's first device moved to the surviving node by themselves.
            TestClients.await("alice connected to the surviving node", WAIT, () -> connectedTo(sender, cluster.clientUrl(survivor)));
            SecureCommClient movedBob = bob1;
            TestClients.await("bob's first device connected to the surviving node", WAIT,
                    () -> connectedTo(movedBob, cluster.clientUrl(survivor)));
            assertTrue(aliceStates.stream().anyMatch(e -> e.state() == ConnectionEvent.State.RECONNECTING), "alice saw " + aliceStates);
            assertFalse(aliceStates.stream().anyMatch(e -> e.state() == ConnectionEvent.State.DISCONNECTED), "alice saw " + aliceStates);
            assertTrue(bob1States.stream().anyMatch(e -> e.state() == ConnectionEvent.State.RECONNECTING), "bob1 saw " + bob1States);

            awaitAll(bob1, expected, alice.address(), "bob's first device (moved to the surviving node)");
            // Bob's second device never lost its connection: whatever it got after the drain came
            // as pushes over the same socket. A relay that forgets a connected device when the
            // shards of its session or mailbox move to another node leaves it waiting here.
            assertEquals(List.of(), bob2States.stream().filter(s -> s.state() != ConnectionEvent.State.CONNECTED).toList(),
                    "bob's second device never had to reconnect");
            SecureCommClient stayed = bob2;
            AssertionError pushesStopped = null;
            try {
                awaitAll(stayed, expected, alice.address(), "bob's second device (stayed connected to the surviving node)");
            } catch (AssertionError e) {
                pushesStopped = new AssertionError("bob's second device stayed connected to the surviving node but stopped getting"
                        + " pushes after the drained node's shards moved (the relay sends a device's session/mailbox link once per"
                        + " connection); it got " + incomingTexts(stayed, alice.address()).size() + " of " + MESSAGES
                        + " over that connection; its states: " + bob2States, e);
                // The rest of the checks still run: a new connection must bring what the mailbox kept, once.
                Path profile = stayed.profileDir();
                stayed.close();
                SecureCommClient again = opened.add(SecureCommClient.open(profile, TestClients.PASSPHRASE, options()));
                shown(again, shown2);
                again.connect();
                awaitAll(again, expected, alice.address(), "bob's second device (reconnected)");
            }

            // Bob's third device was offline throughout: its first URL is the drained node, so it rotates.
            SecureCommClient bob3Again = opened.add(SecureCommClient.open(bob3Profile, TestClients.PASSPHRASE, options()));
            Map<String, List<String>> shown3 = shown(bob3Again);
            bob3Again.connect();
            assertEquals(cluster.clientUrl(survivor), bob3Again.connectionState().endpoint());
            awaitAll(bob3Again, expected, alice.address(), "bob's third device (offline during the drain)");
            assertShownOnce(shown3, "bob's third device");
            assertShownOnce(shown1, "bob's first device");
            assertShownOnce(shown2, "bob's second device");
            if (pushesStopped != null) {
                throw pushesStopped;
            }
        }
    }

    /**
     * Case B. Devices that only receive (their apps never send) get messages again after their
     * node was drained: they reconnect to the other node by themselves, with no request to trigger
     * it. One is an SDK client; the other is the command line's {@code receive --follow}, which
     * shows the moves on standard error.
     */
    @Test
    void receiveOnlyClientsKeepReceivingAfterTheirNodeGoesAway(@TempDir Path dir) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(2, CODES, RELAY_SETTINGS); Opened opened = new Opened();
             CapturedConsole console = new CapturedConsole()) {
            warmUp(cluster);
            List<URI> both = List.of(cluster.clientUrl(0), cluster.clientUrl(1));
            SecureCommClient listener = opened.add(register(dir.resolve("dave"), "dave-failover", both));
            SecureCommClient fay = register(dir.resolve("fay"), "fay-failover", both);
            String fayAddress = fay.address();
            Path fayProfile = fay.profileDir();
            fay.close();
            Path passphrase = dir.resolve("passphrase");
            java.nio.file.Files.writeString(passphrase, new String(TestClients.PASSPHRASE) + "\n");

            // The command line starts on a random node of the profile's list: that is the one drained.
            Thread cli = new Thread(() -> Main.run("receive", "--follow", "--profile", fayProfile.toString(),
                    "--passphrase-file", passphrase.toString()), "cli-receive");
            cli.start();
            try {
                TestClients.await("the command line connected", WAIT, () -> console.err().contains("connected to ws://"));
                URI drained = console.firstUrlAfter("connected to ");
                int drainedIndex = drained.equals(cluster.clientUrl(0)) ? 0 : 1;
                URI survivor = cluster.clientUrl(1 - drainedIndex);
                listener = opened.add(moveTo(listener, List.of(drained, survivor)));
                assertEquals(drained, listener.connectionState().endpoint());
                SecureCommClient writer = opened.add(register(dir.resolve("erin"), "erin-failover", List.of(survivor)));
                List<ConnectionEvent> states = record(listener);
                Map<String, List<String>> shown = shown(listener);
                writer.addContact(listener.address(), "Dave");
                writer.addContact(fayAddress, "Fay");

                StoredMessage toDave = writer.send(listener.address(), "before the drain");
                StoredMessage toFay = writer.send(fayAddress, "fay before the drain");
                awaitAll(listener, Set.of("before the drain"), writer.address(), "dave");
                TestClients.await("fay's command line shows the first message", WAIT,
                        () -> console.out().contains("from " + writer.address() + ": fay before the drain"));
                // Their delivery receipts went out: from now on neither device has anything to send.
                for (StoredMessage sent : List.of(toDave, toFay)) {
                    TestClients.await("erin sees the delivery receipt of " + sent.text(), WAIT, () -> writer.conversation(sent.conversation())
                            .stream().anyMatch(m -> m.idHex().equals(sent.idHex()) && m.delivered()));
                }
                listener.drain();

                cluster.stop(drainedIndex);

                SecureCommClient dave = listener;
                TestClients.await("dave reconnected to the other node by itself", WAIT, () -> connectedTo(dave, survivor));
                TestClients.await("fay's command line reconnected to the other node", WAIT,
                        () -> console.err().contains("reconnecting to ") && console.err().contains("connected to " + survivor));
                Set<String> all = new HashSet<>(Set.of("before the drain"));
                for (int i = 1; i <= 5; i++) {
                    all.add(writer.send(listener.address(), "after the drain " + i).text());
                    writer.send(fayAddress, "fay after the drain " + i);
                }
                awaitAll(listener, all, writer.address(), "dave");
                assertShownOnce(shown, "dave");
                assertTrue(states.stream().anyMatch(e -> e.state() == ConnectionEvent.State.RECONNECTING), "dave saw " + states);
                TestClients.await("fay's command line shows every message", WAIT, () -> console.out().contains("fay after the drain 5"));
                for (int i = 1; i <= 5; i++) {
                    String line = "from " + writer.address() + ": fay after the drain " + i;
                    assertEquals(1, console.out().lines().filter(line::equals).count(), "shown once: " + line + " in\n" + console.out());
                }
                assertEquals(1, console.out().lines().filter(("from " + writer.address() + ": fay before the drain")::equals).count());
                assertFalse(console.err().contains("error:"), console.err());
            } finally {
                cli.interrupt();
                cli.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
    }

    /** Standard output and error of this JVM, captured (the command line runs in-process) and restored on close. */
    private static final class CapturedConsole implements AutoCloseable {
        private final java.io.PrintStream out = System.out;
        private final java.io.PrintStream err = System.err;
        private final java.io.ByteArrayOutputStream outBytes = new java.io.ByteArrayOutputStream();
        private final java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();

        CapturedConsole() {
            System.setOut(new java.io.PrintStream(new Tee(outBytes, out), true, java.nio.charset.StandardCharsets.UTF_8));
            System.setErr(new java.io.PrintStream(new Tee(errBytes, err), true, java.nio.charset.StandardCharsets.UTF_8));
        }

        String out() {
            synchronized (outBytes) {
                return outBytes.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
        }

        String err() {
            synchronized (errBytes) {
                return errBytes.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
        }

        /** The URL that follows the first {@code prefix} on standard error. */
        URI firstUrlAfter(String prefix) {
            String text = err();
            int start = text.indexOf(prefix) + prefix.length();
            int end = start;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            return URI.create(text.substring(start, end));
        }

        @Override
        public void close() {
            System.setOut(out);
            System.setErr(err);
        }

        /** Keeps a copy and passes everything on (the test's log stays readable). */
        private static final class Tee extends java.io.OutputStream {
            private final java.io.ByteArrayOutputStream copy;
            private final java.io.PrintStream original;

            Tee(java.io.ByteArrayOutputStream copy, java.io.PrintStream original) {
                this.copy = copy;
                this.original = original;
            }

            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (copy) {
                    copy.write(b, off, len);
                }
                original.write(b, off, len);
            }
        }
    }

    // ------------------------------------------------------------ helpers

    /** The first writes of a fresh cluster can exceed the ask timeout: go through each node once. */
    private static void warmUp(InProcessCluster cluster) throws InterruptedException {
        for (int i = 0; i < cluster.size(); i++) {
            URI url = cluster.clientUrl(i);
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int attempt = 0; ; attempt++) {
                try (RelayConnection connection = RelayConnection.connect(url, push -> { })) {
                    connection.call(ClientMessage.newBuilder().setRequestVerificationCode(RequestVerificationCode.newBuilder()
                            .setIdentifier("warm-up-" + attempt + "-" + System.nanoTime() + "@example.org"))).join();
                    break;
                } catch (RuntimeException e) {
                    assertTrue(System.nanoTime() < deadline, "node " + i + " did not warm up: " + e);
                    Thread.sleep(200);
                }
            }
        }
    }

    private static SecureCommClient register(Path profile, String username, List<URI> servers) {
        String email = username + "@example.org";
        return SecureCommClient.register(profile, TestClients.PASSPHRASE, options(), servers, username, email,
                username + "'s first device", () -> CODES.codeFor(email));
    }

    private static SecureCommClient link(SecureCommClient existing, Path profile, List<URI> servers) throws Exception {
        CompletableFuture<String> link = new CompletableFuture<>();
        CompletableFuture<String> code = new CompletableFuture<>();
        ExecutorService newDevice = Executors.newSingleThreadExecutor();
        try {
            var linked = newDevice.submit(() -> SecureCommClient.link(profile, TestClients.PASSPHRASE, options(), servers,
                    link::complete, code::complete));
            existing.linkDevice(link.get(20, TimeUnit.SECONDS), "another device", () -> code.join());
            return linked.get(60, TimeUnit.SECONDS);
        } finally {
            newDevice.shutdownNow();
        }
    }

    /** Stores {@code servers} in the device's profile and reconnects it, so it uses the first of them. */
    /** Clients to close when the test ends, however it ends, before the cluster (closing one twice is harmless). */
    private static final class Opened implements AutoCloseable {
        private final List<SecureCommClient> clients = new ArrayList<>();

        SecureCommClient add(SecureCommClient client) {
            clients.add(client);
            return client;
        }

        @Override
        public void close() {
            clients.forEach(client -> {
                try {
                    client.close();
                } catch (RuntimeException e) {
                    System.err.println("closing a client: " + e);
                }
            });
        }
    }

    private static SecureCommClient moveTo(SecureCommClient client, List<URI> servers) {
        Path profile = client.profileDir();
        client.setServers(servers);
        client.close();
        SecureCommClient reopened = SecureCommClient.open(profile, TestClients.PASSPHRASE, options());
        reopened.connect();
        assertEquals(servers, reopened.servers());
        return reopened;
    }

    /** Which node's shard region holds entity {@code entityId} now. */
    private static int hostOf(InProcessCluster cluster, EntityTypeKey<?> type, String entityId) throws Exception {
        for (int i = 0; i < cluster.size(); i++) {
            RelayNode node = cluster.node(i);
            ShardRegion.CurrentShardRegionState state = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                            ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(node.system()).shardState(),
                            replyTo -> new GetShardRegionState(type, replyTo), Duration.ofSeconds(10), node.system().scheduler())
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
            for (ShardRegion.ShardState shard : state.getShards()) {
                if (shard.getEntityIds().contains(entityId)) {
                    return i;
                }
            }
        }
        throw new AssertionError(type.name() + " " + entityId + " runs on no node");
    }

    private static List<ConnectionEvent> record(SecureCommClient client) {
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        client.onConnectionState(events::add);
        return events;
    }

    /** What the app was shown: the texts per message id, as the message listener saw them. */
    private static Map<String, List<String>> shown(SecureCommClient client) {
        return shown(client, new java.util.concurrent.ConcurrentHashMap<>());
    }

    /** Adds what {@code client} shows to {@code shown} (one device across a restart of its client). */
    private static Map<String, List<String>> shown(SecureCommClient client, Map<String, List<String>> shown) {
        client.onMessage(message -> {
            if (!message.outgoing()) {
                shown.computeIfAbsent(message.idHex(), id -> new CopyOnWriteArrayList<>()).add(message.text());
            }
        });
        return shown;
    }

    private static boolean connectedTo(SecureCommClient client, URI node) {
        ConnectionEvent state = client.connectionState();
        return client.isConnected() && state.state() == ConnectionEvent.State.CONNECTED && node.equals(state.endpoint());
    }

    private static List<StoredMessage> incomingTexts(SecureCommClient client, String from) {
        return client.conversation(from).stream().filter(m -> !m.outgoing()).toList();
    }

    /** Waits until {@code device} stores every text of {@code expected} from {@code from}, then checks each is there once. */
    private static void awaitAll(SecureCommClient device, Set<String> expected, String from, String who) throws InterruptedException {
        TestClients.await(who + " has all " + expected.size() + " messages", WAIT,
                () -> incomingTexts(device, from).stream().map(StoredMessage::text).collect(java.util.stream.Collectors.toSet())
                        .containsAll(expected));
        device.drain();
        Map<String, Integer> byId = new TreeMap<>();
        Map<String, Integer> byText = new HashMap<>();
        for (StoredMessage message : incomingTexts(device, from)) {
            byId.merge(message.idHex(), 1, Integer::sum);
            byText.merge(message.text(), 1, Integer::sum);
        }
        assertEquals(expected, byText.keySet(), who + ": exactly the messages sent, nothing more, nothing missing");
        assertTrue(byId.values().stream().allMatch(n -> n == 1), who + ": each message id once: " + byId);
        assertTrue(byText.values().stream().allMatch(n -> n == 1), who + ": each text once: " + byText);
    }

    private static void assertShownOnce(Map<String, List<String>> shown, String who) {
        List<String> twice = new ArrayList<>();
        shown.forEach((id, texts) -> {
            if (texts.size() != 1) {
                twice.add(texts.toString());
            }
        });
        assertEquals(List.of(), twice, who + ": no message shown twice");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
