package org.securecomm.relay.mailbox;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.MismatchedDevices;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.Asks;
import org.securecomm.relay.account.Account;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.account.Device;

/**
 * Sends one message to every device of a recipient, and its copy to every other device of the
 * sender: checks both sets are exactly the current devices (so no device silently misses a
 * message), then enqueues one envelope per device and answers once all of them are persisted.
 */
public final class EnvelopeRouter {

    /** One envelope of a send request, for one destination device. */
    public record Outgoing(int deviceId, int registrationId, int type, byte[] content) {
    }

    private final ClusterSharding sharding;
    private final AccountManager accounts;
    private final Duration askTimeout;
    private final int maxEnvelopeBytes;
    private final Clock clock;

    public EnvelopeRouter(ClusterSharding sharding, AccountManager accounts, Duration askTimeout, int maxEnvelopeBytes, Clock clock) {
        this.sharding = sharding;
        this.accounts = accounts;
        this.askTimeout = askTimeout;
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        this.clock = clock;
    }

    /** Envelope ids in request order: for the destination's devices, and for the sender's own copies. */
    public record Accepted(List<UUID> ids, List<UUID> ownCopyIds) {
    }

    /**
     * Enqueues {@code envelopes} for every device of {@code destination} and {@code ownCopies} for
     * every other device of the sender, or nothing when either set does not match the devices.
     */
    public CompletionStage<Accepted> send(AuthenticatedDevice sender, String destination, List<Outgoing> envelopes,
                                          List<Outgoing> ownCopies, byte[] messageId, long clientTimestamp, boolean urgent) {
        if (messageId.length != 0 && messageId.length != 16) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a message id is 16 bytes");
        }
        validate(envelopes, false);
        validate(ownCopies, true);
        return accounts.resolve(destination).thenCompose(accountId -> {
            if (accountId.equals(sender.accountId()) && !ownCopies.isEmpty()) {
                throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a message to one's own address needs no own-device copies");
            }
            CompletionStage<Account.Devices> ownDevices = ownCopies.isEmpty()
                    ? CompletableFuture.completedFuture(null) : accounts.devices(sender.accountId());
            return accounts.devices(accountId).thenCombine(ownDevices, (devices, own) -> {
                MismatchedDevices mismatch = mismatch(sender, accountId, devices, envelopes);
                MismatchedDevices ownMismatch = own == null ? null : mismatch(sender, sender.accountId(), own, ownCopies);
                if (mismatch != null || ownMismatch != null) {
                    throw new ApiException(ErrorCode.MISMATCHED_DEVICES, "the devices changed: send to the listed devices", 0,
                            mismatch == null ? MismatchedDevices.getDefaultInstance() : mismatch, ownMismatch);
                }
                return accountId;
            });
        }).thenCompose(accountId -> {
            long now = clock.millis();
            List<UUID> ids = new ArrayList<>(envelopes.size());
            List<UUID> ownIds = new ArrayList<>(ownCopies.size());
            List<CompletableFuture<Mailbox.EnqueueResult>> enqueued = new ArrayList<>(envelopes.size() + ownCopies.size());
            for (Outgoing outgoing : envelopes) {
                ids.add(enqueue(sender, accountId, outgoing, messageId, clientTimestamp, now, urgent, enqueued));
            }
            for (Outgoing outgoing : ownCopies) {
                ownIds.add(enqueue(sender, sender.accountId(), outgoing, messageId, clientTimestamp, now, urgent, enqueued));
            }
            return CompletableFuture.allOf(enqueued.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                if (enqueued.stream().anyMatch(f -> f.join() == Mailbox.EnqueueResult.FULL)) {
                    throw new ApiException(ErrorCode.MAILBOX_FULL, "a device of " + destination + " has too many undelivered envelopes");
                }
                return new Accepted(ids, ownIds);
            });
        });
    }

    private UUID enqueue(AuthenticatedDevice sender, String accountId, Outgoing outgoing, byte[] messageId, long clientTimestamp,
                         long now, boolean urgent, List<CompletableFuture<Mailbox.EnqueueResult>> enqueued) {
        UUID id = envelopeId(sender, messageId, accountId, outgoing.deviceId());
        StoredEnvelope envelope = new StoredEnvelope(id, sender.address().toString(), sender.deviceId(), outgoing.type(),
                clientTimestamp, now, outgoing.content(), urgent);
        enqueued.add(Asks.plain(sharding.entityRefFor(Mailbox.TYPE_KEY, Mailbox.entityId(accountId, outgoing.deviceId()))
                .<Mailbox.EnqueueResult>ask(replyTo -> new Mailbox.Enqueue(envelope, replyTo), askTimeout)));
        return id;
    }

    /**
     * With a client message id, the same (sender, message, destination device) always gives the
     * same envelope id, and the Mailbox treats a repeated id as a retry: a send retried after a
     * timeout is stored once.
     */
    private static UUID envelopeId(AuthenticatedDevice sender, byte[] messageId, String accountId, int deviceId) {
        if (messageId.length == 0) {
            return UUID.randomUUID();
        }
        byte[] prefix = (sender.accountId() + "." + sender.deviceId() + ">" + accountId + "." + deviceId + ":")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] name = java.util.Arrays.copyOf(prefix, prefix.length + messageId.length);
        System.arraycopy(messageId, 0, name, prefix.length, messageId.length);
        return UUID.nameUUIDFromBytes(name);
    }

    public CompletionStage<Integer> acknowledge(AuthenticatedDevice device, List<UUID> envelopeIds) {
        return Asks.plain(sharding.entityRefFor(Mailbox.TYPE_KEY, Mailbox.entityId(device.accountId(), device.deviceId()))
                .<Mailbox.Acknowledged>ask(replyTo -> new Mailbox.Acknowledge(envelopeIds, replyTo), askTimeout))
                .thenApply(Mailbox.Acknowledged::removed);
    }

    private void validate(List<Outgoing> envelopes, boolean mayBeEmpty) {
        if (envelopes.isEmpty() && !mayBeEmpty) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "a send request has one envelope per destination device");
        }
        Set<Integer> seen = new HashSet<>();
        for (Outgoing outgoing : envelopes) {
            if (!seen.add(outgoing.deviceId())) {
                throw new ApiException(ErrorCode.INVALID_ARGUMENT, "device " + outgoing.deviceId() + " is addressed twice");
            }
            if (outgoing.content().length == 0) {
                throw new ApiException(ErrorCode.INVALID_ARGUMENT, "an envelope has no content");
            }
            if (outgoing.content().length > maxEnvelopeBytes) {
                throw new ApiException(ErrorCode.ENVELOPE_TOO_LARGE,
                        "an envelope is at most " + maxEnvelopeBytes + " bytes, got " + outgoing.content().length);
            }
        }
    }

    /** What is wrong with the addressed devices of one account, or null when they match. */
    private static MismatchedDevices mismatch(AuthenticatedDevice sender, String accountId, Account.Devices devices,
                                              List<Outgoing> envelopes) {
        Map<Integer, Integer> registrationIds = new HashMap<>();
        for (Device device : devices.devices()) {
            // A device does not send to itself; its own account's other devices get copies.
            if (!(accountId.equals(sender.accountId()) && device.id() == sender.deviceId())) {
                registrationIds.put(device.id(), device.registrationId());
            }
        }
        MismatchedDevices.Builder mismatch = MismatchedDevices.newBuilder();
        Set<Integer> addressed = new HashSet<>();
        for (Outgoing outgoing : envelopes) {
            addressed.add(outgoing.deviceId());
            Integer registrationId = registrationIds.get(outgoing.deviceId());
            if (registrationId == null) {
                mismatch.addExtraDevices(outgoing.deviceId());
            } else if (outgoing.registrationId() != 0 && outgoing.registrationId() != registrationId) {
                mismatch.addStaleDevices(outgoing.deviceId());
            }
        }
        registrationIds.keySet().stream().filter(id -> !addressed.contains(id)).sorted().forEach(mismatch::addMissingDevices);
        boolean matches = mismatch.getMissingDevicesCount() + mismatch.getExtraDevicesCount() + mismatch.getStaleDevicesCount() == 0;
        return matches ? null : mismatch.build();
    }
}
