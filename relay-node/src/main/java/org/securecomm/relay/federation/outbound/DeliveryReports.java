package org.securecomm.relay.federation.outbound;

import java.time.Clock;
import java.util.UUID;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.client.v1.EnvelopeType;
import org.securecomm.protocol.federation.v1.DeliveryFailure;
import org.securecomm.protocol.federation.v1.EnvelopeDelivery;
import org.securecomm.protocol.federation.v1.Pdu;
import org.securecomm.protocol.federation.v1.PduResult;
import org.securecomm.protocol.federation.v1.RemoteEnvelope;
import org.securecomm.relay.mailbox.EnvelopeRouter;
import org.securecomm.relay.mailbox.StoredEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a sending device that envelopes it was answered "accepted" for (they were queued while the
 * other cluster was slow or down) were refused when that cluster applied them: a DELIVERY_FAILURE
 * envelope into the sender's own mailbox, so it arrives even when the device is offline now.
 */
public final class DeliveryReports implements FailureReporter {

    private static final Logger log = LoggerFactory.getLogger(DeliveryReports.class);

    private final EnvelopeRouter envelopes;
    private final Clock clock;

    public DeliveryReports(EnvelopeRouter envelopes, Clock clock) {
        this.envelopes = envelopes;
        this.clock = clock;
    }

    @Override
    public void report(String domain, Pdu pdu, PduResult result) {
        if (!pdu.hasEnvelopes()) {
            return; // call pushes are best effort: a refused one has nobody to tell
        }
        EnvelopeDelivery delivery = pdu.getEnvelopes();
        DeliveryFailure.Builder failure = DeliveryFailure.newBuilder()
                .setSourceAddress(delivery.getSourceAddress())
                .setSourceDevice(delivery.getSourceDevice())
                .setDestination(delivery.getDestination())
                .setMessageId(delivery.getMessageId())
                .setCode(result.getError());
        delivery.getEnvelopesList().stream().map(RemoteEnvelope::getId).forEach(failure::addEnvelopeIds);
        if (result.hasMismatchedDevices()) {
            failure.setMismatchedDevices(result.getMismatchedDevices());
        }
        StoredEnvelope report = new StoredEnvelope(UUID.randomUUID(), delivery.getDestination(), 0, EnvelopeType.DELIVERY_FAILURE_VALUE,
                delivery.getClientTimestamp(), clock.millis(), failure.build().toByteArray(), false);
        envelopes.deliverReport(Address.parse(delivery.getSourceAddress()), delivery.getSourceDevice(), report)
                .whenComplete((stored, error) -> {
                    if (error != null) {
                        log.warn("could not store a delivery failure report for a device of this cluster: {}", error.toString());
                    }
                });
    }
}
