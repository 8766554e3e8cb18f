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
import org.securecomm.protocol.Address;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.MismatchedDevices;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.Asks;
import org.securecomm.relay.EntityRefs;
import org.securecomm.relay.account.Account;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.account.DeviceSummary;

/**
 * Sends one message to every device of a recipient, and its copy to every other device of the
 * sender: checks both sets are exactly the current devices (so no device silently misses a
 * message), then enqueues one envelope per device and answers once all of them are persisted.
 * A recipient of another cluster gets its envelopes through {@link RemoteDelivery}, which checks
 * its devices over there; envelopes from other clusters come in through {@link #deliverFromRemote}.
 */
public final class EnvelopeRouter {

    /** One envelope of a send request, for one destination device. */
    public record Outgoing(int deviceId, int registrationId, int type, byte[] content) {
    }

    /** An envelope with the id it is stored under (chosen by the sending cluster). */
    public record Identified(UUID id, Outgoing envelope) {
    }

    /** Envelopes for an account of another cluster (federation). */
    public interface RemoteDelivery {
        /**
         * Completes once the other cluster stored the envelopes, or once they are durably queued for
         * it; fails with an {@link ApiException} when that cluster refused them (unknown account,
         * other devices, full mailbox).
         */
        CompletionStage<Void> send(AuthenticatedDevice sender, Address destination, List<Identified> envelopes, byte[] messageId,
                                   long clientTimestamp, long serverTimestamp, boolean urgent);
    }

    private final EntityRefs<Mailbox.Command> mailboxes;
    private final AccountManager accounts;
    private final Duration askTimeout;
    private final int maxEnvelopeBytes;
    private final Clock clock;
    private final RemoteDelivery remote;

    /** Mailbox refs kept for reuse: the mailboxes senders and devices use most (see EntityRefs). */
    private static final int REF_CACHE_SIZE = 10_000;

    /** @param remote null when this cluster does not federate: other domains are refused */
    public EnvelopeRouter(ClusterSharding sharding, AccountManager accounts, Duration askTimeout, int maxEnvelopeBytes, Clock clock,
                          RemoteDelivery remote) {
        this.mailboxes = new EntityRefs<>(sharding, Mailbox.TYPE_KEY, REF_CACHE_SIZE);
        this.accounts = accounts;
        this.askTimeout = askTimeout;
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        this.clock = clock;
        this.remote = remote;
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
        Address address = AccountManager.parseAddress(destination);
        if (!accounts.isLocal(address)) {
            return sendRemote(sender, address, envelopes, ownCopies, messageId, clientTimestamp, urgent);
        }
        return accounts.resolve(address).thenCompose(accountId -> {
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

    /**
     * The sender's own copies are checked first (they are local), then the envelopes go to the
     * other cluster; the own copies are stored only once that cluster accepted (or queued) them.
     */
    private CompletionStage<Accepted> sendRemote(AuthenticatedDevice sender, Address destination, List<Outgoing> envelopes,
                                                 List<Outgoing> ownCopies, byte[] messageId, long clientTimestamp, boolean urgent) {
        if (remote == null) {
            throw new ApiException(ErrorCode.FEDERATION_REFUSED,
                    destination + " is served by another cluster and this relay does not federate");
        }
        CompletionStage<Void> ownChecked = ownCopies.isEmpty() ? CompletableFuture.completedFuture(null)
                : accounts.devices(sender.accountId()).thenAccept(own -> {
                    MismatchedDevices ownMismatch = mismatch(sender, sender.accountId(), own, ownCopies);
                    if (ownMismatch != null) {
                        throw new ApiException(ErrorCode.MISMATCHED_DEVICES, "your devices changed: send to the listed devices", 0,
                                MismatchedDevices.getDefaultInstance(), ownMismatch);
                    }
                });
        long now = clock.millis();
        List<Identified> identified = envelopes.stream()
                .map(e -> new Identified(envelopeId(sender, messageId, destination.toString(), e.deviceId()), e)).toList();
        return ownChecked
                .thenCompose(ignored -> remote.send(sender, destination, identified, messageId, clientTimestamp, now, urgent))
                .thenCompose(ignored -> {
                    List<UUID> ownIds = new ArrayList<>(ownCopies.size());
                    List<CompletableFuture<Mailbox.EnqueueResult>> enqueued = new ArrayList<>(ownCopies.size());
                    for (Outgoing outgoing : ownCopies) {
                        ownIds.add(enqueue(sender, sender.accountId(), outgoing, messageId, clientTimestamp, now, urgent, enqueued));
                    }
                    return CompletableFuture.allOf(enqueued.toArray(CompletableFuture[]::new)).thenApply(all -> {
                        if (enqueued.stream().anyMatch(f -> f.join() == Mailbox.EnqueueResult.FULL)) {
                            throw new ApiException(ErrorCode.MAILBOX_FULL, "one of your devices has too many undelivered envelopes");
                        }
                        return new Accepted(identified.stream().map(Identified::id).toList(), ownIds);
                    });
                });
    }

    /**
     * Envelopes another cluster sends to an account of this one: every device of it or none, under
     * the ids the other cluster chose, so a retried delivery is stored once.
     */
    public CompletionStage<Void> deliverFromRemote(Address source, int sourceDevice, Address destination, List<Identified> envelopes,
                                                   long clientTimestamp, boolean urgent) {
        validate(envelopes.stream().map(Identified::envelope).toList(), false);
        return accounts.resolve(destination).thenCompose(accountId -> accounts.devices(accountId).thenCompose(devices -> {
            MismatchedDevices mismatch = mismatch(null, accountId, devices, envelopes.stream().map(Identified::envelope).toList());
            if (mismatch != null) {
                throw new ApiException(ErrorCode.MISMATCHED_DEVICES, "the devices of " + destination + " changed", 0, mismatch, null);
            }
            long now = clock.millis();
            List<CompletableFuture<Mailbox.EnqueueResult>> enqueued = new ArrayList<>(envelopes.size());
            for (Identified envelope : envelopes) {
                Outgoing outgoing = envelope.envelope();
                enqueued.add(store(accountId, outgoing.deviceId(), new StoredEnvelope(envelope.id(), source.toString(), sourceDevice,
                        outgoing.type(), clientTimestamp, now, outgoing.content(), urgent)));
            }
            return CompletableFuture.allOf(enqueued.toArray(CompletableFuture[]::new)).thenApply(all -> {
                if (enqueued.stream().anyMatch(f -> f.join() == Mailbox.EnqueueResult.FULL)) {
                    throw new ApiException(ErrorCode.MAILBOX_FULL, "a device of " + destination + " has too many undelivered envelopes");
                }
                return null;
            });
        }));
    }

    /** Stores one envelope the relay itself writes (a delivery report) for one device of a local address. */
    public CompletionStage<Mailbox.EnqueueResult> deliverReport(Address to, int deviceId, StoredEnvelope envelope) {
        return accounts.resolve(to).thenCompose(accountId -> store(accountId, deviceId, envelope));
    }

    private CompletableFuture<Mailbox.EnqueueResult> store(String accountId, int deviceId, StoredEnvelope envelope) {
        return Asks.plain(mailboxes.get(Mailbox.entityId(accountId, deviceId))
                .<Mailbox.EnqueueResult>ask(replyTo -> new Mailbox.Enqueue(envelope, replyTo), askTimeout)).toCompletableFuture();
    }

    private UUID enqueue(AuthenticatedDevice sender, String accountId, Outgoing outgoing, byte[] messageId, long clientTimestamp,
                         long now, boolean urgent, List<CompletableFuture<Mailbox.EnqueueResult>> enqueued) {
        UUID id = envelopeId(sender, messageId, accountId, outgoing.deviceId());
        enqueued.add(store(accountId, outgoing.deviceId(), new StoredEnvelope(id, sender.address().toString(), sender.deviceId(),
                outgoing.type(), clientTimestamp, now, outgoing.content(), urgent)));
        return id;
    }

    /**
     * With a client message id, the same (sender, message, destination device) always gives the
     * same envelope id, and the Mailbox treats a repeated id as a retry: a send retried after a
     * timeout is stored once.
     */
    private static UUID envelopeId(AuthenticatedDevice sender, byte[] messageId, String destination, int deviceId) {
        if (messageId.length == 0) {
            return UUID.randomUUID();
        }
        byte[] prefix = (sender.accountId() + "." + sender.deviceId() + ">" + destination + "." + deviceId + ":")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] name = java.util.Arrays.copyOf(prefix, prefix.length + messageId.length);
        System.arraycopy(messageId, 0, name, prefix.length, messageId.length);
        return UUID.nameUUIDFromBytes(name);
    }

    public CompletionStage<Integer> acknowledge(AuthenticatedDevice device, List<UUID> envelopeIds) {
        return Asks.plain(mailboxes.get(Mailbox.entityId(device.accountId(), device.deviceId()))
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
            if (outgoing.type() == EnvelopeType.DELIVERY_FAILURE_VALUE) {
                // Only a relay writes delivery reports: nobody may forge one into a mailbox.
                throw new ApiException(ErrorCode.INVALID_ARGUMENT, "DELIVERY_FAILURE envelopes come from relays only");
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

    /** What is wrong with the addressed devices of one account, or null when they match; {@code sender} null: from another cluster. */
    private static MismatchedDevices mismatch(AuthenticatedDevice sender, String accountId, Account.Devices devices,
                                              List<Outgoing> envelopes) {
        Map<Integer, Integer> registrationIds = new HashMap<>();
        for (DeviceSummary device : devices.devices()) {
            // A device does not send to itself; its own account's other devices get copies.
            if (sender == null || !(accountId.equals(sender.accountId()) && device.id() == sender.deviceId())) {
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
