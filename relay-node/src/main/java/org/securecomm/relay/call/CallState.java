package org.securecomm.relay.call;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The persisted lifecycle of one call: who started it, which accounts were invited, which devices
 * are in it, whether it ended. Never snapshotted (a call has a handful of events), so never
 * serialized; mutable because Pekko applies events to it one at a time.
 */
public final class CallState {

    private boolean created;
    private boolean ended;
    private String callerAccountId;
    private boolean video;
    private boolean everAnswered;
    private final Map<String, String> invited = new LinkedHashMap<>();   // account id -> address
    private final List<CallRoom.Participant> participants = new ArrayList<>();

    public boolean active() {
        return created && !ended;
    }

    public boolean ended() {
        return ended;
    }

    public boolean video() {
        return video;
    }

    public String callerAccountId() {
        return callerAccountId;
    }

    /** Whether any account other than the caller's ever joined: until then the call is only ringing. */
    public boolean everAnswered() {
        return everAnswered;
    }

    /** The caller's account and every account rung since. */
    public boolean isInvited(String accountId) {
        return accountId.equals(callerAccountId) || invited.containsKey(accountId);
    }

    public List<CallRoom.Participant> participants() {
        return List.copyOf(participants);
    }

    public CallRoom.Participant participant(String accountId, int deviceId) {
        for (CallRoom.Participant p : participants) {
            if (p.accountId().equals(accountId) && p.deviceId() == deviceId) {
                return p;
            }
        }
        return null;
    }

    CallState apply(CallRoom.Event event) {
        if (event instanceof CallRoom.CallCreated e) {
            created = true;
            callerAccountId = e.caller().accountId();
            video = e.video();
            e.callees().forEach(c -> invited.put(c.accountId(), c.address()));
            participants.add(e.caller());
        } else if (event instanceof CallRoom.ParticipantsInvited e) {
            e.invitees().forEach(c -> invited.put(c.accountId(), c.address()));
        } else if (event instanceof CallRoom.ParticipantJoined e) {
            if (participant(e.participant().accountId(), e.participant().deviceId()) == null) {
                participants.add(e.participant());
            }
            everAnswered |= !e.participant().accountId().equals(callerAccountId);
        } else if (event instanceof CallRoom.ParticipantLeft e) {
            participants.removeIf(p -> p.accountId().equals(e.accountId()) && p.deviceId() == e.deviceId());
        } else if (event instanceof CallRoom.CallEnded) {
            ended = true;
            participants.clear();
        }
        return this;
    }
}
