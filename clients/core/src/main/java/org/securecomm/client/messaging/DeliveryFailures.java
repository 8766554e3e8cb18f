package org.securecomm.client.messaging;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.securecomm.client.store.MessageStore;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.protocol.client.v1.Envelope;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.federation.v1.DeliveryFailure;

/**
 * DELIVERY_FAILURE envelopes: this device's relay reports that another cluster refused envelopes
 * the relay had accepted from this device (and queued while that cluster was slow or down). The
 * outgoing message is marked failed, a MISMATCHED_DEVICES correction is applied to the local
 * device list as a synchronous one would be, and the client is told. Only relays write these
 * envelopes (they refuse them from devices), so they are not encrypted; a report that does not
 * parse or does not fit this device is dropped, never retried: it would not parse next time.
 */
final class DeliveryFailures {

    private static final System.Logger LOG = System.getLogger(DeliveryFailures.class.getName());

    private final MessageStore messages;
    private final MessageSender sender;
    private final String selfAddress;

    DeliveryFailures(MessageStore messages, MessageSender sender, String selfAddress) {
        this.messages = messages;
        this.sender = sender;
        this.selfAddress = selfAddress;
    }

    /**
     * Inside the receive transaction: store work only; fetching sessions for new devices and the
     * notice go to {@code afterCommit} (network and listeners must not run inside it).
     */
    void apply(Envelope envelope, List<Runnable> afterCommit, Consumer<DeliveryFailureNotice> notify) {
        DeliveryFailure failure = parse(envelope);
        if (failure == null) {
            return;
        }
        String destination = failure.getDestination();
        ErrorCode code = failure.getCode();
        StoredMessage message = messages.markFailed(failure.getMessageId().toByteArray(), destination, failure.getCodeValue())
                .orElse(null);
        if (code == ErrorCode.MISMATCHED_DEVICES && failure.hasMismatchedDevices()) {
            Set<Integer> needSessions = sender.correctLater(destination, failure.getMismatchedDevices());
            // Before the notice, so a retry from the listener already reaches the new devices.
            afterCommit.add(() -> fetchSessions(destination, needSessions));
        }
        DeliveryFailureNotice notice = new DeliveryFailureNotice(destination, failure.getMessageId().toByteArray(), code, message);
        afterCommit.add(() -> notify.accept(notice));
    }

    /** The report, or null (logged) when it is not one for this device. */
    private DeliveryFailure parse(Envelope envelope) {
        DeliveryFailure failure;
        try {
            failure = DeliveryFailure.parseFrom(envelope.getContent());
        } catch (InvalidProtocolBufferException e) {
            LOG.log(System.Logger.Level.WARNING, "dropping a delivery failure report that does not parse");
            return null;
        }
        // A relay writes it with the unreachable address as source and device 0; anything else is
        // not from a relay, or not about a send of this account.
        boolean fits = envelope.getSourceDevice() == 0 && !failure.getDestination().isEmpty()
                && failure.getDestination().equals(envelope.getSourceAddress())
                && (failure.getSourceAddress().isEmpty() || failure.getSourceAddress().equals(selfAddress));
        if (!fits) {
            LOG.log(System.Logger.Level.WARNING, "dropping a delivery failure report that does not fit this device");
            return null;
        }
        return failure;
    }

    private void fetchSessions(String destination, Set<Integer> devices) {
        try {
            sender.ensureSessions(destination, devices);
        } catch (RuntimeException e) {
            // A send without them is refused again and reported, which tries this again.
            LOG.log(System.Logger.Level.WARNING, "could not fetch the new devices of " + destination + ": " + e);
        }
    }
}
