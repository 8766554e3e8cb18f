package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.desktop.support.TestClients;

/**
 * Two accounts with two linked devices each exchange messages both ways, online and offline,
 * through a real relay on a real Cassandra: every device ends up with every message of its
 * account exactly once, sent copies included.
 */
class MultiDeviceMessagingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void everyDeviceSeesEveryMessageOfItsAccountExactlyOnce(@TempDir Path dir) throws Exception {
        SecureCommClient alice1 = TestClients.register(dir.resolve("alice1"), "alice");
        SecureCommClient alice2 = TestClients.link(alice1, dir.resolve("alice2"), "alice laptop");
        SecureCommClient bob1 = TestClients.register(dir.resolve("bob1"), "bob");
        SecureCommClient bob2 = TestClients.link(bob1, dir.resolve("bob2"), "bob laptop");
        List<SecureCommClient> open = new ArrayList<>(List.of(alice1, alice2, bob1, bob2));
        try {
            assertEquals(2, alice1.devices().size());
            assertEquals(List.of("alice's first device", "alice laptop"),
                    alice2.devices().stream().map(d -> d.name()).toList());
            alice1.addContact(bob1.address(), "Bob");
            // the contact list reached the other device, encrypted, through the relay
            TestClients.await("contact sync", WAIT, () -> alice2.contacts().stream().anyMatch(c -> c.name().equals("Bob")));

            // online, both ways, from either device
            alice1.send(bob1.address(), "hello bob");
            bob2.send(alice1.address(), "hi alice");
            alice2.send(bob1.address(), "from alice's laptop");
            awaitTexts(List.of(alice1, alice2, bob1, bob2), 3);

            // offline: bob's devices are closed while alice sends; both get everything later
            bob1.close();
            bob2.close();
            open.removeAll(List.of(bob1, bob2));
            alice1.send(bob1.address(), "offline one");
            alice2.send(bob1.address(), "offline two");
            SecureCommClient bob1Again = TestClients.reopen(dir.resolve("bob1"));
            SecureCommClient bob2Again = TestClients.reopen(dir.resolve("bob2"));
            open.addAll(List.of(bob1Again, bob2Again));
            bob1Again.send(alice1.address(), "back online");
            List<SecureCommClient> devices = List.of(alice1, alice2, bob1Again, bob2Again);
            awaitTexts(devices, 6);

            Map<String, Long> expected = new TreeMap<>(Map.of("hello bob", 1L, "hi alice", 1L, "from alice's laptop", 1L,
                    "offline one", 1L, "offline two", 1L, "back online", 1L));
            for (SecureCommClient device : devices) {
                List<StoredMessage> all = device.allMessages();
                assertEquals(expected, new TreeMap<>(all.stream().collect(Collectors.groupingBy(StoredMessage::text, Collectors.counting()))),
                        device.address() + " device " + device.deviceId());
                for (StoredMessage message : all) {
                    boolean mine = message.sender().equals(device.address());
                    assertEquals(mine, message.outgoing());
                    assertEquals(mine ? (device.address().startsWith("alice") ? bob1.address() : alice1.address()) : message.sender(),
                            message.conversation());
                }
            }
            // delivery receipts (encrypted) came back to the sender's devices
            TestClients.await("delivery receipts", WAIT, () -> alice1.allMessages().stream()
                    .filter(StoredMessage::outgoing).allMatch(StoredMessage::delivered));
        } finally {
            open.forEach(SecureCommClient::close);
        }
    }

    private static void awaitTexts(List<SecureCommClient> devices, int count) throws InterruptedException {
        for (SecureCommClient device : devices) {
            TestClients.await(count + " messages on " + device.address() + "/" + device.deviceId(), WAIT,
                    () -> device.allMessages().size() >= count);
        }
    }
}
