package org.securecomm.client.messaging;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.securecomm.client.account.OwnDevices;
import org.securecomm.client.contacts.ContactDirectory;
import org.securecomm.client.store.ContactStore;
import org.securecomm.client.store.MessageStore;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.content.v1.Content;
import org.securecomm.protocol.content.v1.DataMessage;
import org.securecomm.protocol.content.v1.ReceiptMessage;
import org.securecomm.protocol.content.v1.SyncMessage;
import org.signal.libsignal.protocol.DuplicateMessageException;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.DecryptionErrorMessage;
import org.signal.libsignal.protocol.message.PlaintextContent;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;
import org.signal.libsignal.protocol.state.SessionRecord;

/**
 * The receive path of one device. For each pushed envelope: skip (and acknowledge) an envelope
 * id already processed; decrypt and apply the content in ONE database transaction together with
 * the advanced session and the envelope id; only then acknowledge to the relay. So a crash at
 * any point either redelivers the envelope (nothing was committed) or drops a redelivery
 * (everything was). A message that does not decrypt is answered with libsignal's
 * DecryptionErrorMessage, and the sender re-establishes the session and resends (see
 * {@link #handleDecryptionError}). A DELIVERY_FAILURE from this device's own relay (federation)
 * goes to {@link DeliveryFailures}.
 */
public final class MessageReceiver {

    /** What the receiver asks of the rest of the client after a commit. */
    public interface Effects {
        void acknowledge(UUID envelopeId);

        void stored(StoredMessage message);

        void sendReceipt(String to, ReceiptMessage.Type type, List<ByteString> messageIds);

        /** Resend a logged content to {@code destination} (after its device asked for it). */
        void resend(String destination, byte[] content);

        /** Another device of this account reports a call for the history. */
        void callEvent(org.securecomm.protocol.content.v1.CallEvent event);

        /** Another cluster refused a send that this device's relay had accepted. */
        void deliveryFailure(DeliveryFailureNotice notice);
    }

    private final ProfileStore db;
    private final ProtocolStore protocol;
    private final MessageStore messages;
    private final ContactStore contacts;
    private final OwnDevices ownDevices;
    private final MessageSender sender;
    private final Clock clock;
    private final String selfAddress;
    private final int selfDevice;
    private final Effects effects;
    private final DeliveryFailures deliveryFailures;

    public MessageReceiver(ProfileStore db, ProtocolStore protocol, MessageStore messages, ContactStore contacts, OwnDevices ownDevices,
                           MessageSender sender, Clock clock, String selfAddress, int selfDevice, Effects effects) {
        this.db = db;
        this.protocol = protocol;
        this.messages = messages;
        this.contacts = contacts;
        this.ownDevices = ownDevices;
        this.sender = sender;
        this.clock = clock;
        this.selfAddress = selfAddress;
        this.selfDevice = selfDevice;
        this.effects = effects;
        this.deliveryFailures = new DeliveryFailures(messages, sender, selfAddress);
    }

    public void handle(Envelope envelope) {
        UUID envelopeId = EnvelopeIds.fromBytes(envelope.getId());
        if (messages.envelopeSeen(envelopeId)) {
            effects.acknowledge(envelopeId);
            return;
        }
        // A relay's report names no device of this account (its source device is 0).
        if (envelope.getSourceAddress().equals(selfAddress) && envelope.getType() != EnvelopeType.DELIVERY_FAILURE) {
            ownDevices.add(envelope.getSourceDevice());
        }
        List<Runnable> afterCommit = new ArrayList<>();
        if (envelope.getType() == EnvelopeType.PLAINTEXT_CONTENT) {
            // Resend first, acknowledge after: a crash in between only duplicates the resend,
            // which receivers drop by message id.
            handleDecryptionError(envelope);
            markSeen(envelopeId);
        } else if (envelope.getType() == EnvelopeType.DELIVERY_FAILURE) {
            // Written by this device's relay, not a peer: nothing to decrypt, never a decryption error.
            db.transaction(() -> {
                deliveryFailures.apply(envelope, afterCommit, effects::deliveryFailure);
                markSeen(envelopeId);
                return null;
            });
        } else {
            try {
                db.transaction(() -> {
                    byte[] plaintext = decrypt(envelope);
                    try {
                        apply(envelope, Content.parseFrom(plaintext), afterCommit);
                    } catch (InvalidProtocolBufferException e) {
                        // decrypted but not content we understand: consumed, nothing to show
                    }
                    messages.markEnvelopeSeen(envelopeId, clock.millis());
                    return null;
                });
            } catch (DecryptionFailure e) {
                if (!(e.getCause() instanceof DuplicateMessageException)) {
                    reportDecryptionError(envelope);
                }
                markSeen(envelopeId);
            }
        }
        effects.acknowledge(envelopeId);
        afterCommit.forEach(Runnable::run);
    }

    private void markSeen(UUID envelopeId) {
        messages.markEnvelopeSeen(envelopeId, clock.millis());
    }

    private byte[] decrypt(Envelope envelope) {
        SignalProtocolAddress from = new SignalProtocolAddress(envelope.getSourceAddress(), envelope.getSourceDevice());
        SessionCipher cipher = new SessionCipher(protocol, protocol, protocol, protocol, protocol, from);
        byte[] content = envelope.getContent().toByteArray();
        try {
            return switch (envelope.getType()) {
                case PREKEY_MESSAGE -> cipher.decrypt(new PreKeySignalMessage(content));
                case CIPHERTEXT -> cipher.decrypt(new SignalMessage(content));
                default -> throw new InvalidMessageException("not a session message: " + envelope.getType());
            };
        } catch (Exception e) {
            throw new DecryptionFailure(e);
        }
    }

    /** Applies decrypted content inside the receive transaction; network work goes to {@code afterCommit}. */
    private void apply(Envelope envelope, Content content, List<Runnable> afterCommit) {
        String source = envelope.getSourceAddress();
        boolean fromSelf = source.equals(selfAddress);
        long now = clock.millis();
        switch (content.getBodyCase()) {
            case DATA -> {
                if (fromSelf) {
                    return;
                }
                DataMessage data = content.getData();
                contacts.put(source, null, now);
                contacts.setExpireTimer(source, data.getExpireTimerSeconds());
                if (data.getTimerUpdate()) {
                    return;
                }
                StoredMessage message = new StoredMessage(data.getMessageId().toByteArray(), source, source, envelope.getSourceDevice(),
                        false, data.getText(), data.getSentAtMillis(), now, false, false, data.getExpireTimerSeconds(), null);
                if (messages.insert(message)) {
                    afterCommit.add(() -> effects.stored(message));
                    afterCommit.add(() -> effects.sendReceipt(source, ReceiptMessage.Type.DELIVERY, List.of(data.getMessageId())));
                }
            }
            case RECEIPT -> {
                boolean read = content.getReceipt().getType() == ReceiptMessage.Type.READ;
                for (ByteString id : content.getReceipt().getMessageIdsList()) {
                    var message = messages.find(id.toByteArray()).filter(m -> m.outgoing() && m.conversation().equals(source));
                    if (message.isEmpty()) {
                        messages.keepEarlyReceipt(id.toByteArray(), source, read, now);
                    } else if (read) {
                        messages.markRead(message.get().id(), now);
                        messages.markDelivered(message.get().id());
                    } else {
                        messages.markDelivered(message.get().id());
                    }
                }
            }
            case SYNC -> {
                if (fromSelf) {
                    applySync(envelope, content.getSync(), now, afterCommit);
                }
            }
            default -> {
                // An unknown content type from a newer client: nothing to show.
            }
        }
    }

    private void applySync(Envelope envelope, SyncMessage sync, long now, List<Runnable> afterCommit) {
        switch (sync.getBodyCase()) {
            case SENT -> {
                DataMessage data = sync.getSent().getMessage();
                String destination = sync.getSent().getDestination();
                contacts.put(destination, null, now);
                contacts.setExpireTimer(destination, data.getExpireTimerSeconds());
                if (data.getTimerUpdate()) {
                    return;
                }
                int timer = data.getExpireTimerSeconds();
                StoredMessage message = new StoredMessage(data.getMessageId().toByteArray(), destination, selfAddress,
                        envelope.getSourceDevice(), true, data.getText(), data.getSentAtMillis(), now, false, false, timer,
                        timer > 0 ? data.getSentAtMillis() + timer * 1000L : null);
                if (messages.insert(message)) {
                    afterCommit.add(() -> effects.stored(message));
                }
            }
            case CONTACTS -> {
                ContactDirectory.applyContactList(contacts, protocol, sync.getContacts(), now);
            }
            case READ -> sync.getRead().getMessageIdsList().forEach(id -> messages.markRead(id.toByteArray(), now));
            case CALL_EVENT -> afterCommit.add(() -> effects.callEvent(sync.getCallEvent()));
            default -> {
                // unknown sync type from a newer client
            }
        }
    }

    /**
     * Our device failed to decrypt something from {@code envelope}'s sender: tell that device
     * (in the clear, as libsignal's PlaintextContent) so it starts a new session and resends.
     */
    private void reportDecryptionError(Envelope envelope) {
        int type = envelope.getType() == EnvelopeType.PREKEY_MESSAGE ? CiphertextMessage.PREKEY_TYPE : CiphertextMessage.WHISPER_TYPE;
        DecryptionErrorMessage error;
        try {
            error = DecryptionErrorMessage.forOriginalMessage(envelope.getContent().toByteArray(), type,
                    envelope.getClientTimestamp(), envelope.getSourceDevice());
        } catch (RuntimeException unreadable) {
            return; // not even a libsignal message: nothing to ask for
        }
        sender.sendPlaintext(envelope.getSourceAddress(), new PlaintextContent(error).serialize(), clock.millis(),
                envelope.getSourceDevice());
    }

    /**
     * A peer device could not decrypt what this device sent at {@code timestamp}: archive the
     * session it failed on (when the error names our current ratchet, so a stale report does not
     * reset a healthy session) and resend the logged content, which starts a new session.
     */
    private void handleDecryptionError(Envelope envelope) {
        DecryptionErrorMessage error;
        try {
            error = DecryptionErrorMessage.extractFromSerializedContent(new PlaintextContent(envelope.getContent().toByteArray()).getBody());
        } catch (InvalidMessageException | org.signal.libsignal.protocol.InvalidVersionException e) {
            return;
        }
        if (error.getDeviceId() != selfDevice) {
            return; // addressed to another device of this account
        }
        SignalProtocolAddress peer = new SignalProtocolAddress(envelope.getSourceAddress(), envelope.getSourceDevice());
        SessionRecord session = protocol.loadSession(peer);
        if (session != null && error.getRatchetKey().map(session::currentRatchetKeyMatches).orElse(true)) {
            protocol.archiveSession(peer);
        }
        messages.sentContent(error.getTimestamp(), envelope.getSourceAddress())
                .ifPresent(content -> effects.resend(envelope.getSourceAddress(), content));
    }

    /** Decryption failed; the cause says why. Unchecked so it can leave a transaction. */
    private static final class DecryptionFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DecryptionFailure(Throwable cause) {
            super(cause);
        }
    }
}
