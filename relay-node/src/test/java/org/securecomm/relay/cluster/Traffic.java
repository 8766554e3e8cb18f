package org.securecomm.relay.cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.securecomm.relay.support.ReconnectingDevice;
import org.securecomm.relay.support.RelayClusterProcesses;
import org.securecomm.relay.support.TestDevice;

/**
 * Continuous 1:1 traffic over a cluster: sender/receiver pairs on different nodes (every third
 * receiver with two devices), each sender one message at a time at a steady pace, each retried
 * with its message_id until the relay accepts it. The ledger then proves what was delivered.
 */
final class Traffic implements AutoCloseable {

    /** One pair: a sender and the devices of its receiver. */
    static final class Pair {
        final int index;
        final ReconnectingDevice sender;
        final List<ReconnectingDevice> receivers;
        /** message key to the envelope ids accepted for it, in receiver device order. */
        final Map<String, List<UUID>> acknowledged = new ConcurrentHashMap<>();
        /** message key to the time (nanoTime) it was acknowledged. */
        final Map<String, Long> acknowledgedAt = new ConcurrentHashMap<>();
        final Set<String> attempted = ConcurrentHashMap.newKeySet();
        final AtomicLong gaveUp = new AtomicLong();
        volatile Thread thread;

        Pair(int index, ReconnectingDevice sender, List<ReconnectingDevice> receivers) {
            this.index = index;
            this.sender = sender;
            this.receivers = receivers;
        }

        List<Integer> deviceIds() {
            return receivers.stream().map(r -> r.deviceId).toList();
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<Pair> pairs;
    private final Duration interval;
    private volatile boolean running;

    private Traffic(List<Pair> pairs, Duration interval) {
        this.pairs = pairs;
        this.interval = interval;
    }

    /**
     * Registers {@code pairCount} pairs spread over {@code urls}; pair i's sender on node i, its
     * receiver's first device on node i+1 and (every third pair) a second device on node i+2.
     */
    static Traffic register(List<String> urls, int pairCount, Duration interval) {
        int n = urls.size();
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < pairCount; i++) {
            TestDevice sender = TestDevice.register(urls.get(i % n), RelayClusterProcesses.codes(),
                    RelayClusterProcesses.identifier("s" + i), "s" + i + "x" + run);
            TestDevice receiver = TestDevice.register(urls.get((i + 1) % n), RelayClusterProcesses.codes(),
                    RelayClusterProcesses.identifier("r" + i), "r" + i + "x" + run);
            List<ReconnectingDevice> receivers = new ArrayList<>();
            if (i % 3 == 0) {
                TestDevice second = receiver.addDevice(urls.get((i + 2) % n));
                receivers.add(ReconnectingDevice.of(second, urls, (i + 2) % n));
            }
            receivers.add(0, ReconnectingDevice.of(receiver, urls, (i + 1) % n));
            pairs.add(new Pair(i, ReconnectingDevice.of(sender, urls, i % n), receivers));
        }
        return new Traffic(pairs, interval);
    }

    List<Pair> pairs() {
        return pairs;
    }

    List<ReconnectingDevice> allDevices() {
        List<ReconnectingDevice> all = new ArrayList<>();
        pairs.forEach(p -> {
            all.add(p.sender);
            all.addAll(p.receivers);
        });
        return all;
    }

    /** Waits until every device is connected (after registration or a reconnect). */
    void awaitConnected(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!allDevices().stream().allMatch(ReconnectingDevice::isConnected)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not every device connected within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    void start() {
        running = true;
        for (Pair pair : pairs) {
            pair.thread = new Thread(() -> sendLoop(pair), "sender-" + pair.index);
            pair.thread.setDaemon(true);
            pair.thread.start();
        }
    }

    private void sendLoop(Pair pair) {
        long seq = 0;
        // Spread the senders over the interval.
        sleep(interval.toMillis() * pair.index / Math.max(1, pairs.size()));
        while (running) {
            long started = System.nanoTime();
            String key = "m-" + pair.index + "-" + (++seq);
            byte[] messageId = new byte[16];
            RANDOM.nextBytes(messageId);
            pair.attempted.add(key);
            try {
                List<UUID> ids = pair.sender.send(pair.receivers.get(0).address, pair.deviceIds(), key, messageId, Duration.ofSeconds(60));
                pair.acknowledged.put(key, ids);
                pair.acknowledgedAt.put(key, System.nanoTime());
            } catch (RuntimeException e) {
                pair.gaveUp.incrementAndGet();
            }
            long left = interval.toNanos() - (System.nanoTime() - started);
            if (left > 0) {
                sleep(left / 1_000_000);
            }
        }
    }

    /** Stops the senders after their current send. */
    void stop() throws InterruptedException {
        running = false;
        for (Pair pair : pairs) {
            pair.thread.join(120_000);
        }
    }

    long acknowledgedCount() {
        return pairs.stream().mapToLong(p -> p.acknowledged.size()).sum();
    }

    /** Waits until every acknowledged message reached every device of its receiver; false on timeout. */
    boolean drain(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (verify().missing == 0) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** The final count. */
    static final class Report {
        long acknowledged;
        long attempted;
        long gaveUp;
        long expectedDeliveries;
        long deliveredDistinct;
        long missing;
        long duplicateIds;
        long wrongIds;
        long unexpected;
        long unacknowledgedDelivered;
        long redeliveries;
        long sendRetries;
        long reconnections;
        final List<String> problems = new ArrayList<>();

        boolean exactlyOnce() {
            return missing == 0 && duplicateIds == 0 && wrongIds == 0 && unexpected == 0;
        }

        @Override
        public String toString() {
            return "acknowledged sends " + acknowledged + " (attempted " + attempted + ", gave up " + gaveUp + ", send retries "
                    + sendRetries + "); deliveries expected " + expectedDeliveries + ", distinct delivered " + deliveredDistinct
                    + "; missing " + missing + ", stored twice " + duplicateIds + ", wrong id " + wrongIds + ", never sent "
                    + unexpected + "; delivered but not acknowledged to the sender " + unacknowledgedDelivered
                    + "; transport redeliveries " + redeliveries + "; reconnections " + reconnections
                    + (problems.isEmpty() ? "" : "; first problems " + problems.subList(0, Math.min(10, problems.size())));
        }
    }

    /**
     * Per receiver device, after de-duplication by envelope id: every acknowledged message is
     * there under the id the sender was given, no message is there under two ids, and nothing
     * is there that was never sent.
     */
    Report verify() {
        Report report = new Report();
        for (Pair pair : pairs) {
            Map<String, List<UUID>> acked = new HashMap<>(pair.acknowledged);
            Set<String> attempted = new HashSet<>(pair.attempted);
            report.acknowledged += acked.size();
            report.attempted += attempted.size();
            report.gaveUp += pair.gaveUp.get();
            report.sendRetries += pair.sender.sendRetries();
            report.reconnections += Math.max(0, pair.sender.connections() - 1);
            for (int d = 0; d < pair.receivers.size(); d++) {
                ReconnectingDevice device = pair.receivers.get(d);
                report.reconnections += Math.max(0, device.connections() - 1);
                Map<String, Set<UUID>> byKey = new HashMap<>();
                device.received().forEach((id, key) -> byKey.computeIfAbsent(key, k -> new HashSet<>()).add(id));
                report.deliveredDistinct += device.received().size();
                for (int count : device.pushCounts().values()) {
                    report.redeliveries += count - 1;
                }
                for (Map.Entry<String, List<UUID>> entry : acked.entrySet()) {
                    report.expectedDeliveries++;
                    Set<UUID> ids = byKey.get(entry.getKey());
                    if (ids == null) {
                        report.missing++;
                        report.problems.add("missing " + entry.getKey() + " at " + device.address + "." + device.deviceId);
                    } else if (!ids.equals(Set.of(entry.getValue().get(d)))) {
                        report.wrongIds++;
                        report.problems.add(entry.getKey() + " at " + device.deviceId + " has ids " + ids + ", accepted as "
                                + entry.getValue().get(d));
                    }
                }
                for (Map.Entry<String, Set<UUID>> entry : byKey.entrySet()) {
                    if (entry.getValue().size() > 1) {
                        report.duplicateIds++;
                        report.problems.add(entry.getKey() + " stored twice at " + device.deviceId + ": " + entry.getValue());
                    }
                    if (!attempted.contains(entry.getKey())) {
                        report.unexpected++;
                        report.problems.add("never sent: " + entry.getKey());
                    } else if (!acked.containsKey(entry.getKey())) {
                        report.unacknowledgedDelivered++;
                    }
                }
            }
        }
        return report;
    }

    /**
     * Diagnosis when envelopes are missing: the devices missing some reconnect (their mailbox then
     * pushes every unacknowledged envelope again). What arrives then was stored but not pushed to
     * the live connection; what is still missing was lost. Answers a description.
     */
    String diagnoseMissing(Duration wait) throws InterruptedException {
        Report before = verify();
        if (before.missing == 0) {
            return "nothing missing";
        }
        Set<ReconnectingDevice> missing = new HashSet<>();
        for (Pair pair : pairs) {
            for (int d = 0; d < pair.receivers.size(); d++) {
                ReconnectingDevice device = pair.receivers.get(d);
                Set<String> got = new HashSet<>(device.received().values());
                if (!got.containsAll(pair.acknowledged.keySet())) {
                    missing.add(device);
                }
            }
        }
        missing.forEach(ReconnectingDevice::dropConnection);
        drain(wait);
        Report after = verify();
        return before.missing + " missing on " + missing.size() + " devices; after those devices reconnected: " + after.missing
                + " still missing (" + (before.missing - after.missing) + " were stored but never pushed to the live connection)";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        allDevices().forEach(ReconnectingDevice::close);
    }
}
