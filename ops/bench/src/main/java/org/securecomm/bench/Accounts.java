package org.securecomm.bench;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import org.securecomm.protocol.client.v1.AddDevice;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Register;
import org.securecomm.protocol.client.v1.Registered;
import org.securecomm.protocol.client.v1.RequestVerificationCode;

/**
 * Registers the benchmark's accounts with test identifiers (the relay accepts its configured test
 * code for them and sends nothing) and connects devices. Identifiers and usernames carry a random
 * run id, so runs against a long-lived node do not collide.
 */
final class Accounts {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int E164_MAX_DIGITS = 15;

    private final URI url;
    private final ClientPool pool;
    private final String identifierPrefix;
    private final String testCode;
    private final Duration connectTimeout;
    private final String runId;
    private final long identifierBase;
    private final long identifierSpace;
    private final AtomicInteger sequence = new AtomicInteger();

    /** A device's open, authenticated connection. */
    record Connected(Device device, BenchConnection connection) {
    }

    Accounts(URI url, ClientPool pool, String identifierPrefix, String testCode, Duration connectTimeout) {
        this.url = url;
        this.pool = pool;
        this.identifierPrefix = identifierPrefix;
        this.testCode = testCode;
        this.connectTimeout = connectTimeout;
        this.runId = Long.toString(Math.floorMod(RANDOM.nextLong(), 36L * 36 * 36 * 36 * 36 * 36), 36);
        if (identifierPrefix.startsWith("+")) {
            int digits = E164_MAX_DIGITS - (identifierPrefix.length() - 1);
            if (digits < 6) {
                throw new IllegalArgumentException("the identifier prefix " + identifierPrefix + " leaves fewer than 6 digits of an E.164 number");
            }
            identifierSpace = (long) Math.pow(10, digits);
            identifierBase = Math.floorMod(RANDOM.nextLong(), identifierSpace);
        } else {
            identifierSpace = 0;
            identifierBase = 0;
        }
    }

    Accounts(URI url, ClientPool pool, RelayBenchmark options) {
        this(url, pool, options.identifierPrefix, options.testCode, Duration.ofSeconds(30));
    }

    private String identifier(int n) {
        if (identifierSpace > 0) {
            int digits = E164_MAX_DIGITS - (identifierPrefix.length() - 1);
            return identifierPrefix + String.format(Locale.ROOT, "%0" + digits + "d", (identifierBase + n) % identifierSpace);
        }
        return identifierPrefix + runId + "." + n + "@bench.example";
    }

    private String username(String role, int n) {
        return "b" + runId + "-" + role + n;
    }

    /** Opens an anonymous connection. */
    CompletableFuture<BenchConnection> open(BenchConnection.PushListener listener) {
        return BenchConnection.open(pool, url, listener, connectTimeout);
    }

    /** Registers a new account on {@code connection} (anonymous) and authenticates it as the primary device. */
    CompletableFuture<Device> registerAndAuthenticate(BenchConnection connection, String role) {
        byte[] identityKey = new byte[33];
        RANDOM.nextBytes(identityKey);
        identityKey[0] = 0x05; // libsignal's DJB key type
        return registerAndAuthenticate(connection, role, 1 + RANDOM.nextInt(16380), identityKey);
    }

    /** Registers a new account with this registration id and serialized public identity key, then authenticates it. */
    CompletableFuture<Device> registerAndAuthenticate(BenchConnection connection, String role, int registrationId, byte[] identityKey) {
        int n = sequence.getAndIncrement();
        String identifier = identifier(n);
        return connection.call(ClientMessage.newBuilder().setRequestVerificationCode(
                        RequestVerificationCode.newBuilder().setIdentifier(identifier)))
                .thenCompose(sent -> connection.call(ClientMessage.newBuilder().setRegister(Register.newBuilder()
                        .setIdentifier(identifier)
                        .setVerificationCode(testCode)
                        .setUsername(username(role, n))
                        .setRegistrationId(registrationId)
                        .setIdentityKey(ByteString.copyFrom(identityKey)))))
                .thenApply(response -> {
                    Registered r = response.getRegistered();
                    return new Device(r.getAccountId(), r.getAddress(), r.getDeviceId(), r.getPassword(), registrationId);
                })
                .thenCompose(device -> authenticate(connection, device));
    }

    /** Opens a connection, registers a new account on it and leaves it authenticated as that account's primary device. */
    CompletableFuture<Connected> registerConnected(String role, BenchConnection.PushListener listener) {
        return registerConnected(listener, connection -> registerAndAuthenticate(connection, role));
    }

    /** Opens a connection and runs {@code register} on it (registration and authentication); aborts it if that fails. */
    CompletableFuture<Connected> registerConnected(BenchConnection.PushListener listener,
                                                   java.util.function.Function<BenchConnection, CompletableFuture<Device>> register) {
        return open(listener).thenCompose(connection -> register.apply(connection)
                .thenApply(device -> new Connected(device, connection))
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        connection.abort();
                    }
                }));
    }

    /**
     * Registers one account with {@code devices} devices (the primary adds the others), using a
     * temporary connection that is closed afterwards.
     */
    CompletableFuture<List<Device>> registerWithDevices(String role, int devices) {
        return open(null).thenCompose(connection -> registerAndAuthenticate(connection, role).thenCompose(primary -> {
            CompletableFuture<List<Device>> all = CompletableFuture.completedFuture(new ArrayList<>(List.of(primary)));
            for (int i = 1; i < devices; i++) {
                all = all.thenCompose(list -> {
                    int registrationId = 1 + RANDOM.nextInt(16380);
                    return connection.call(ClientMessage.newBuilder().setAddDevice(AddDevice.newBuilder().setRegistrationId(registrationId)))
                            .thenApply(response -> {
                                var added = response.getDeviceAdded();
                                list.add(new Device(primary.accountId(), primary.address(), added.getDeviceId(), added.getPassword(),
                                        registrationId));
                                return list;
                            });
                });
            }
            return all;
        }).whenComplete((ok, failure) -> connection.startClose()));
    }

    /** Opens a connection and authenticates it as {@code device}. */
    CompletableFuture<BenchConnection> connect(Device device, BenchConnection.PushListener listener) {
        return open(listener).thenCompose(connection -> authenticate(connection, device)
                .thenApply(ok -> connection)
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        connection.abort();
                    }
                }));
    }

    private static CompletableFuture<Device> authenticate(BenchConnection connection, Device device) {
        return connection.call(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                        .setAccountId(device.accountId()).setDeviceId(device.deviceId()).setPassword(device.password())))
                .thenApply(ok -> device);
    }

    /**
     * Runs {@code count} asynchronous tasks with at most {@code concurrency} in flight, printing
     * progress every few seconds; failures are counted and leave a null in the result.
     */
    static <T> List<T> runAll(String what, int count, int concurrency, IntFunction<CompletableFuture<T>> task, ErrorCounter errors) {
        AtomicReferenceArray<T> results = new AtomicReferenceArray<>(count);
        Semaphore slots = new Semaphore(concurrency);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        long lastReport = start;
        try {
            for (int i = 0; i < count; i++) {
                while (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
                    lastReport = maybeReport(what, count, done, failed, start, lastReport);
                }
                lastReport = maybeReport(what, count, done, failed, start, lastReport);
                int index = i;
                CompletableFuture<T> future;
                try {
                    future = task.apply(index);
                } catch (RuntimeException e) {
                    future = CompletableFuture.failedFuture(e);
                }
                future.whenComplete((result, failure) -> {
                    if (failure != null) {
                        String kind = errors.count(failure);
                        if (failed.incrementAndGet() <= 3) {
                            System.out.println("  " + what + " failed: " + kind + " " + ErrorCounter.unwrap(failure).getMessage());
                        }
                    } else {
                        results.set(index, result);
                    }
                    done.incrementAndGet();
                    slots.release();
                });
            }
            while (!slots.tryAcquire(concurrency, 1, TimeUnit.SECONDS)) {
                lastReport = maybeReport(what, count, done, failed, start, lastReport);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "  %s: %d of %d done in %.1f s (%.0f/s), %d failed%n", what, count - failed.get(), count, seconds,
                count / Math.max(seconds, 1e-3), failed.get());
        List<T> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(results.get(i));
        }
        return list;
    }

    private static long maybeReport(String what, int count, AtomicInteger done, AtomicInteger failed, long start, long lastReport) {
        long now = System.nanoTime();
        if (now - lastReport < TimeUnit.SECONDS.toNanos(5)) {
            return lastReport;
        }
        System.out.printf(Locale.ROOT, "  %s: %d/%d after %.0f s (%d failed)%n", what, done.get(), count, (now - start) / 1e9, failed.get());
        return now;
    }
}
