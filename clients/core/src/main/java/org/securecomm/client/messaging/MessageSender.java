package org.securecomm.client.messaging;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.securecomm.client.account.OwnDevices;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.client.transport.Relay;
import org.securecomm.client.transport.RelayException;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DevicePreKeyBundle;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.GetPreKeyBundles;
import org.securecomm.protocol.client.v1.MismatchedDevices;
import org.securecomm.protocol.client.v1.OutgoingEnvelope;
import org.securecomm.protocol.client.v1.PreKeyBundles;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.NoSessionException;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.UntrustedIdentityException;
import org.signal.libsignal.protocol.message.CiphertextMessage;

/**
 * Fan-out of one plaintext to every device of a destination (and of its sync transcript to this
 * account's other devices), as one SendEnvelopes request: each
 * device gets its own libsignal ciphertext. Devices without a session get one from a claimed
 * prekey bundle (PQXDH); when the relay answers MISMATCHED_DEVICES the device set is corrected
 * (sessions of removed or re-registered devices dropped, new devices fetched) and the request is
 * encrypted again and retried.
 */
public final class MessageSender {

    private static final int MAX_ATTEMPTS = 5;
    private static final int TRANSPORT_ID_BYTES = 16;

    private final ProtocolStore protocol;
    private final Relay relay;
    private final OwnDevices ownDevices;
    private final String selfAddress;
    private final int selfDevice;
    private final ReliableSend reliable;

    /** Sends each request once: a transport failure is the caller's (tests of the fan-out). */
    public MessageSender(ProtocolStore protocol, Relay relay, OwnDevices ownDevices, String selfAddress, int selfDevice) {
        this(protocol, relay, ownDevices, selfAddress, selfDevice, null);
    }

    /**
     * With {@code reliable} (may be null), encrypted sends go through the outbox: retried with
     * the same bytes after a transport failure, and resent after a restart.
     */
    public MessageSender(ProtocolStore protocol, Relay relay, OwnDevices ownDevices, String selfAddress, int selfDevice,
                         ReliableSend reliable) {
        this.protocol = protocol;
        this.relay = relay;
        this.ownDevices = ownDevices;
        this.selfAddress = selfAddress;
        this.selfDevice = selfDevice;
        this.reliable = reliable;
    }

    /**
     * Encrypts {@code content} for every device of {@code destination} (for this account's own
     * address: every other own device) and sends it. Answers the number of envelopes accepted
     * (0 when sending to one's own address with no other device).
     *
     * @throws IdentityChangedException when the destination's identity changed and is not accepted
     * @throws SendPendingException when the relay did not answer in time (the request stays in the outbox)
     */
    public int send(String destination, byte[] content, long timestamp) {
        return send(destination, content, null, timestamp);
    }

    /**
     * Like {@link #send(String, byte[], long)}, with {@code ownCopy} (a sync transcript, may be
     * null) encrypted for this account's other devices in the same request: the relay accepts both
     * or neither, and reports device changes of both sides at once.
     */
    public int send(String destination, byte[] content, byte[] ownCopy, long timestamp) {
        return send(destination, content, ownCopy, null, timestamp);
    }

    /**
     * Like {@link #send(String, byte[], byte[], long)} under the transport message id
     * {@code messageId}: a user message passes its own DataMessage id, so a federation
     * DELIVERY_FAILURE, which names the transport id, leads back to the stored message, and a
     * resend of the message is stored once by the relays. Any other value than 16 bytes (null
     * included) gives a random id.
     */
    public int send(String destination, byte[] content, byte[] ownCopy, byte[] messageId, long timestamp) {
        boolean toSelf = destination.equals(selfAddress);
        boolean withCopies = ownCopy != null && !toSelf;
        Set<Integer> targets = knownDevices(destination, toSelf);
        Set<Integer> ownTargets = withCopies ? knownDevices(selfAddress, true) : new TreeSet<>();
        // One id for every attempt, so the relay stores a retried send once.
        ByteString transportId = transportId(messageId);
        for (int attempt = 1; ; attempt++) {
            if (targets.isEmpty()) {
                if (toSelf) {
                    return 0;
                }
                targets.addAll(fetchSessions(destination, 0));
            }
            ensureSessions(destination, targets);
            ensureSessions(selfAddress, ownTargets);
            SendEnvelopes.Builder request = SendEnvelopes.newBuilder().setDestination(destination)
                    .setClientTimestamp(timestamp).setUrgent(true).setMessageId(transportId);
            for (int device : targets) {
                request.addEnvelopes(encrypt(destination, device, content));
            }
            for (int device : ownTargets) {
                request.addOwnDeviceEnvelopes(encrypt(selfAddress, device, ownCopy));
            }
            try {
                // Once encrypted, a request is only ever resent as it is: encrypting again would
                // advance the ratchet past what the first (maybe stored) copy used.
                Response accepted = reliable == null
                        ? relay.call(ClientMessage.newBuilder().setSendEnvelopes(request))
                        : reliable.send(transportId.toByteArray(), destination, request.build());
                return accepted.getEnvelopesAccepted().getEnvelopeIdsCount();
            } catch (RelayException e) {
                if (e.code() != ErrorCode.MISMATCHED_DEVICES || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                correct(destination, toSelf, targets, e.error().getMismatchedDevices(), true);
                if (withCopies) {
                    correct(selfAddress, true, ownTargets, e.error().getOwnMismatchedDevices(), true);
                }
            }
        }
    }

    private static ByteString transportId(byte[] messageId) {
        return ByteString.copyFrom(messageId != null && messageId.length == TRANSPORT_ID_BYTES
                ? messageId : org.securecomm.client.crypto.Vault.random(TRANSPORT_ID_BYTES));
    }

    /**
     * A MISMATCHED_DEVICES that arrives later than the send (a federation DELIVERY_FAILURE):
     * corrects the local sessions and own-device list as a synchronous answer would, and answers
     * the devices of {@code destination} that the next send must include but that have no
     * session now (stale and missing ones); {@link #ensureSessions} fetches them. Store work
     * only, so it can run inside the receive transaction.
     */
    Set<Integer> correctLater(String destination, MismatchedDevices mismatch) {
        boolean toSelf = destination.equals(selfAddress);
        Set<Integer> targets = knownDevices(destination, toSelf);
        targets.addAll(mismatch.getStaleDevicesList());
        correct(destination, toSelf, targets, mismatch, true);
        targets.removeIf(device -> protocol.containsSession(new SignalProtocolAddress(destination, device)));
        return targets;
    }

    /**
     * A pending send (from the outbox) that the relay refused with MISMATCHED_DEVICES: corrects
     * the sessions and device list as {@link #correctLater} does; the message is then failed and
     * a resend reaches the right devices.
     */
    public void correctPending(String destination, MismatchedDevices mismatch) {
        correctLater(destination, mismatch);
    }

    void ensureSessions(String address, Set<Integer> devices) {
        for (int device : devices) {
            if (!protocol.containsSession(new SignalProtocolAddress(address, device))) {
                fetchSessions(address, device);
            }
        }
    }

    /**
     * Sends unencrypted libsignal PlaintextContent (a decryption-error message, which must be
     * readable by a device that lost its session) to every device of {@code destination}.
     */
    public void sendPlaintext(String destination, byte[] plaintextContent, long timestamp, int knownDevice) {
        boolean toSelf = destination.equals(selfAddress);
        Set<Integer> targets = knownDevices(destination, toSelf);
        if (!(toSelf && knownDevice == selfDevice)) {
            targets.add(knownDevice);
        }
        for (int attempt = 1; ; attempt++) {
            if (targets.isEmpty()) {
                return;
            }
            SendEnvelopes.Builder request = SendEnvelopes.newBuilder().setDestination(destination).setClientTimestamp(timestamp);
            for (int device : targets) {
                request.addEnvelopes(OutgoingEnvelope.newBuilder().setDeviceId(device).setType(EnvelopeType.PLAINTEXT_CONTENT)
                        .setContent(ByteString.copyFrom(plaintextContent)));
            }
            try {
                relay.call(ClientMessage.newBuilder().setSendEnvelopes(request));
                return;
            } catch (RelayException e) {
                if (e.code() != ErrorCode.MISMATCHED_DEVICES || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                correct(destination, toSelf, targets, e.error().getMismatchedDevices(), false);
            }
        }
    }

    /**
     * Claims prekey bundles (one device, or every device for 0) and starts sessions with them.
     * Answers the device ids.
     */
    public List<Integer> fetchSessions(String destination, int deviceId) {
        PreKeyBundles bundles = relay.call(ClientMessage.newBuilder().setGetPreKeyBundles(
                GetPreKeyBundles.newBuilder().setAddress(destination).setDeviceId(deviceId))).getPreKeyBundles();
        List<Integer> devices = new java.util.ArrayList<>();
        for (DevicePreKeyBundle device : bundles.getDevicesList()) {
            if (destination.equals(selfAddress) && device.getDeviceId() == selfDevice) {
                continue;
            }
            SignalProtocolAddress address = new SignalProtocolAddress(destination, device.getDeviceId());
            try {
                new SessionBuilder(protocol, protocol, protocol, protocol, address).process(Bundles.toLibsignal(bundles, device));
            } catch (UntrustedIdentityException e) {
                throw new IdentityChangedException(destination);
            } catch (InvalidKeyException e) {
                throw new IllegalStateException("the relay served an invalid prekey bundle for " + address + ": " + e.getMessage(), e);
            }
            devices.add(device.getDeviceId());
        }
        return devices;
    }

    private Set<Integer> knownDevices(String destination, boolean toSelf) {
        Set<Integer> targets = new TreeSet<>(protocol.sessionDevices(destination));
        if (toSelf) {
            targets.addAll(ownDevices.others());
            targets.remove(selfDevice);
        }
        return targets;
    }

    private OutgoingEnvelope encrypt(String destination, int device, byte[] content) {
        SignalProtocolAddress address = new SignalProtocolAddress(destination, device);
        SessionCipher cipher = new SessionCipher(protocol, protocol, protocol, protocol, protocol, address);
        try {
            CiphertextMessage message = cipher.encrypt(content);
            return OutgoingEnvelope.newBuilder().setDeviceId(device).setRegistrationId(cipher.getRemoteRegistrationId())
                    .setType(message.getType() == CiphertextMessage.PREKEY_TYPE ? EnvelopeType.PREKEY_MESSAGE : EnvelopeType.CIPHERTEXT)
                    .setContent(ByteString.copyFrom(message.serialize())).build();
        } catch (UntrustedIdentityException e) {
            throw new IdentityChangedException(destination);
        } catch (NoSessionException e) {
            throw new IllegalStateException("no session with " + address + " although one was just established", e);
        }
    }

    private void correct(String destination, boolean toSelf, Set<Integer> targets, MismatchedDevices mismatch, boolean sessions) {
        for (int extra : mismatch.getExtraDevicesList()) {
            targets.remove(extra);
            if (sessions) {
                protocol.deleteSession(new SignalProtocolAddress(destination, extra));
            }
            if (toSelf) {
                ownDevices.remove(extra);
            }
        }
        for (int stale : mismatch.getStaleDevicesList()) {
            protocol.deleteSession(new SignalProtocolAddress(destination, stale));
        }
        for (int missing : mismatch.getMissingDevicesList()) {
            targets.add(missing);
            if (toSelf) {
                ownDevices.add(missing);
            }
        }
    }
}
