package org.securecomm.desktop;

import java.util.HexFormat;
import org.securecomm.client.messaging.DeliveryFailureNotice;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.protocol.content.v1.CallRecord;

/** How messages and calls look on standard output. */
final class Printing {

    private Printing() {
    }

    static void message(Output out, StoredMessage message) {
        out.print("from " + message.sender() + ": " + message.text(),
                "id", HexFormat.of().formatHex(message.id()), "from", message.sender(), "conversation", message.conversation(),
                "text", message.text(), "sent_at", message.sentAt(), "device", message.senderDevice());
    }

    /** A message the relay accepted earlier could not be delivered to a contact of another cluster. */
    /**
     * Connection changes on standard error (standard output stays the messages): "reconnecting to
     * URL" when a relay node went away or is being tried, "connected to URL" once authenticated.
     */
    static void connectionState(org.securecomm.client.ConnectionEvent event) {
        String where = event.endpoint() == null ? "" : " " + event.endpoint();
        switch (event.state()) {
            case CONNECTED -> System.err.println("connected to" + where);
            case RECONNECTING -> System.err.println("reconnecting to" + where + (event.detail().isEmpty() ? "" : " (" + event.detail() + ")"));
            case DISCONNECTED -> System.err.println("disconnected" + (event.detail().isEmpty() ? "" : ": " + event.detail()));
            default -> { }
        }
    }

    static void deliveryFailure(Output out, DeliveryFailureNotice notice) {
        String text = notice.message() == null ? "" : notice.message().text();
        out.print("not delivered to " + notice.destination() + " (" + notice.code() + "): " + text,
                "type", "delivery_failure", "id", notice.messageIdHex(), "to", notice.destination(), "code", notice.code().name(),
                "text", text);
    }

    /** How the history names an outcome. */
    static String outcome(CallRecord.Outcome outcome) {
        return switch (outcome) {
            case ANSWERED -> "answered";
            case MISSED -> "missed";
            case DECLINED -> "declined";
            case BUSY -> "busy";
            case CANCELLED -> "cancelled";
            case ANSWERED_ELSEWHERE -> "answered on another device";
            default -> "ringing";
        };
    }

    static String duration(long millis) {
        long seconds = Math.round(millis / 1000.0);
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
