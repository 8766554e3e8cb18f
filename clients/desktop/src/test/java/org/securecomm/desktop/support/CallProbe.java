package org.securecomm.desktop.support;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallManager;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.client.store.CallHistoryStore;
import org.securecomm.protocol.content.v1.CallRecord;

/** Records every call update of one client and waits for the ones a test expects. */
public final class CallProbe {

    private final SecureCommClient client;
    private final List<CallUpdate> updates = new CopyOnWriteArrayList<>();

    public CallProbe(SecureCommClient client) {
        this.client = client;
        client.calls().onUpdate(updates::add);
    }

    public SecureCommClient client() {
        return client;
    }

    public CallManager calls() {
        return client.calls();
    }

    public List<CallUpdate> updates() {
        return List.copyOf(updates);
    }

    @SuppressWarnings("unchecked")
    public <T extends CallUpdate> T await(Class<T> type, Predicate<T> match, Duration timeout) throws InterruptedException {
        Object[] found = new Object[1];
        TestClients.await(client.address() + "." + client.deviceId() + ": " + type.getSimpleName() + " in " + updates, timeout, () -> {
            for (CallUpdate update : updates) {
                if (type.isInstance(update) && match.test((T) update)) {
                    found[0] = update;
                    return true;
                }
            }
            return false;
        });
        return (T) found[0];
    }

    public CallManager.Incoming awaitRinging(Duration timeout) throws InterruptedException {
        CallUpdate.Ringing ringing = await(CallUpdate.Ringing.class, r -> true, timeout);
        updates.remove(ringing);
        return new CallManager.Incoming(ringing.callId(), ringing.caller(), ringing.callerDevice(), ringing.video(), 0);
    }

    /** Decrypted audio frames from {@code participant} ("address.device") in the current call, over all its streams. */
    public long decryptedFrom(String participant) {
        return client.calls().mediaStats().map(stats -> stats.streams().stream().filter(s -> s.participant().equals(participant))
                .mapToLong(s -> s.decrypted()).sum()).orElse(0L);
    }

    /** The history record of {@code callId} once it has {@code outcome}. */
    public CallRecord awaitHistory(String callId, CallRecord.Outcome outcome, Duration timeout) throws InterruptedException {
        CallRecord[] found = new CallRecord[1];
        TestClients.await(client.address() + "." + client.deviceId() + ": history of " + callId + " = " + outcome, timeout, () -> {
            for (CallHistoryStore.Entry entry : client.calls().history(100)) {
                if (entry.callId().equals(callId) && entry.record().getOutcome() == outcome) {
                    found[0] = entry.record();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    public static String label(SecureCommClient client) {
        return client.address() + "." + client.deviceId();
    }
}
