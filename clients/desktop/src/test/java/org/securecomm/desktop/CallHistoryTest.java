package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.content.v1.CallRecord;
import org.securecomm.protocol.content.v1.CallRecord.Direction;
import org.securecomm.protocol.content.v1.CallRecord.Outcome;

/**
 * Missed, declined, busy and answered calls as every device of both accounts records them: the
 * ringing devices from the relay's pushes, the caller's other device from the caller's sync
 * message. The test relay rings for {@link TestClients#RING_TIMEOUT}.
 */
class CallHistoryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Both ends on this machine: 1:1 direct paths use 127.0.0.1 host candidates. */
    private static final CallOptions ON_LOOPBACK = CallOptions.defaults().withIceLoopback(true);

    @Test
    void missedDeclinedAndBusyCallsAppearOnEveryDevice(@TempDir Path dir) throws Exception {
        List<SecureCommClient> open = new ArrayList<>();
        try {
            SecureCommClient kim1 = TestClients.register(dir.resolve("kim1"), "kim");
            open.add(kim1);
            SecureCommClient kim2 = TestClients.link(kim1, dir.resolve("kim2"), "kim laptop");
            open.add(kim2);
            SecureCommClient leo1 = TestClients.register(dir.resolve("leo1"), "leo");
            open.add(leo1);
            SecureCommClient leo2 = TestClients.link(leo1, dir.resolve("leo2"), "leo laptop");
            open.add(leo2);
            SecureCommClient mia = TestClients.register(dir.resolve("mia"), "mia");
            open.add(mia);
            CallProbe kimPhone = new CallProbe(kim1);
            CallProbe kimLaptop = new CallProbe(kim2);
            CallProbe leoPhone = new CallProbe(leo1);
            CallProbe leoLaptop = new CallProbe(leo2);
            CallProbe miaPhone = new CallProbe(mia);
            String leo = leo1.address();

            // missed: nobody picks up before the ring timeout
            String missed = kimPhone.calls().place(List.of(leo), ON_LOOPBACK);
            leoPhone.awaitRinging(WAIT);
            leoLaptop.awaitRinging(WAIT);
            kimPhone.await(CallUpdate.Ended.class, e -> e.callId().equals(missed), WAIT);
            expect(missed, Direction.OUTGOING, Outcome.MISSED, kimPhone, kimLaptop);
            expect(missed, Direction.INCOMING, Outcome.MISSED, leoPhone, leoLaptop);

            // declined on leo's laptop: both of leo's devices and both of kim's say declined
            String declined = kimPhone.calls().place(List.of(leo), ON_LOOPBACK);
            leoPhone.awaitRinging(WAIT);
            leoLaptop.awaitRinging(WAIT);
            leoLaptop.calls().decline(declined);
            kimPhone.await(CallUpdate.Ended.class, e -> e.callId().equals(declined), WAIT);
            expect(declined, Direction.OUTGOING, Outcome.DECLINED, kimPhone, kimLaptop);
            expect(declined, Direction.INCOMING, Outcome.DECLINED, leoPhone, leoLaptop);

            // busy: leo's phone is in a call with mia when kim calls
            String talking = miaPhone.calls().place(List.of(leo), ON_LOOPBACK);
            leoLaptop.awaitRinging(WAIT);
            leoPhone.awaitRinging(WAIT);
            leoPhone.calls().answer(talking, ON_LOOPBACK);
            miaPhone.await(CallUpdate.Participants.class, p -> !p.participants().isEmpty(), WAIT);
            String busy = kimPhone.calls().place(List.of(leo), ON_LOOPBACK);
            kimPhone.await(CallUpdate.Ended.class, e -> e.callId().equals(busy), WAIT);
            expect(busy, Direction.OUTGOING, Outcome.BUSY, kimPhone, kimLaptop);
            expect(busy, Direction.INCOMING, Outcome.BUSY, leoPhone, leoLaptop);

            // the call with mia: answered on leo's phone, which tells leo's laptop how long it lasted
            Thread.sleep(1500);
            leoPhone.calls().hangUp();
            miaPhone.await(CallUpdate.Ended.class, e -> e.callId().equals(talking), WAIT);
            CallRecord phone = expect(talking, Direction.INCOMING, Outcome.ANSWERED, leoPhone).get(0);
            CallRecord laptop = expect(talking, Direction.INCOMING, Outcome.ANSWERED, leoLaptop).get(0);
            assertEquals(phone.getDurationMillis(), laptop.getDurationMillis(), "the laptop shows the phone's duration");
            CallRecord caller = expect(talking, Direction.OUTGOING, Outcome.ANSWERED, miaPhone).get(0);
            assertEquals(List.of(leo), caller.getParticipantsList());
            assertEquals(true, caller.getDurationMillis() >= 1000, "duration " + caller.getDurationMillis());
        } finally {
            open.forEach(SecureCommClient::close);
        }
    }

    private static List<CallRecord> expect(String callId, Direction direction, Outcome outcome, CallProbe... devices)
            throws InterruptedException {
        List<CallRecord> records = new ArrayList<>();
        for (CallProbe device : devices) {
            CallRecord record = device.awaitHistory(callId, outcome, WAIT);
            assertEquals(direction, record.getDirection(), CallProbe.label(device.client()) + " " + callId);
            records.add(record);
        }
        return records;
    }
}
