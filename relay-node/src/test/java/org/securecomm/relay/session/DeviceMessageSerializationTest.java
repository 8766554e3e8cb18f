package org.securecomm.relay.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.securecomm.relay.account.KeyStock;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.mailbox.StoredEnvelope;

/**
 * Device messages cross nodes inside {@link UserSession.Notify} (a push for a device whose
 * connection is on another node than its session): each must come back as what it was.
 */
class DeviceMessageSerializationTest {

    private static final ActorTestKit testKit = ActorTestKit.create("DeviceMessageSerializationTest");

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void everyKindIsNamedInTheSerializedForm() {
        Set<Class<?>> named = Arrays.stream(DeviceMessage.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::value).collect(Collectors.toSet());
        assertEquals(Set.of(DeviceMessage.class.getPermittedSubclasses()), named,
                "a DeviceMessage record missing from @JsonSubTypes cannot cross nodes");
    }

    @Test
    void notificationsRoundTripWithTheirMessage() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        StoredEnvelope envelope = new StoredEnvelope(UUID.randomUUID(), "a@relay.test", 2, 1, 3L, 4L, new byte[] {7, 8}, true);
        List<DeviceMessage> messages = List.of(
                new DeviceMessage.Deliver(envelope),
                new DeviceMessage.KeyStockLow(new KeyStock(1, 2, true, false)),
                new DeviceMessage.Linked(testKit.createTestProbe().ref(), DeviceMessage.LinkKind.MAILBOX),
                new DeviceMessage.Replaced(),
                new DeviceMessage.AccountClosed("disabled"),
                new DeviceMessage.IncomingCall("call@relay.test", "a@relay.test", 1, true),
                new DeviceMessage.CallRingingStopped("call@relay.test", CallRoom.RingStop.ANSWERED_ELSEWHERE),
                new DeviceMessage.CallParticipants("call@relay.test", List.of(new CallRoom.Participant("id", "a@relay.test", 1))),
                new DeviceMessage.CallEnded("call@relay.test", CallRoom.EndReason.HUNG_UP),
                new DeviceMessage.CallProbe("call@relay.test"));
        for (DeviceMessage message : messages) {
            UserSession.Notify notify = new UserSession.Notify(3, message);
            byte[] bytes = serialization.serialize(notify).get();
            var serializer = serialization.findSerializerFor(notify);
            Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, notify)).get();
            if (message instanceof DeviceMessage.Deliver deliver) {
                StoredEnvelope received = ((DeviceMessage.Deliver) ((UserSession.Notify) back).message()).envelope();
                assertEquals(deliver.envelope().id(), received.id());
                assertArrayEquals(deliver.envelope().content(), received.content());
            } else {
                assertEquals(notify, back, message.getClass().getSimpleName());
            }
        }
    }
}
