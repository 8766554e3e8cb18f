package org.securecomm.client.call;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.securecomm.client.call.media.SenderKey;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.protocol.client.v1.CallParticipant;
import org.securecomm.protocol.client.v1.CallSignalKind;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.protocol.content.v1.CallSignalBody;
import org.securecomm.protocol.content.v1.IceDescription;
import org.securecomm.protocol.content.v1.SFrameKeyGrant;
import org.securecomm.protocol.content.v1.SFrameKeyRequest;

/**
 * This device's part in one call it has joined: who else is in it, where its media goes (the
 * direct ICE path of a 1:1 call, else the relay's media forwarder), and its SFrame keys: its
 * current key goes to every other participant device on joining; it rotates whenever someone
 * joins or leaves and at least every {@link CallOptions#keyRotation()}; a KEY_REQUEST is answered
 * with the current key. Runs on the client's worker thread, except the media callbacks, which hop
 * onto it.
 */
final class ActiveCall implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ActiveCall.class.getName());
    static final Duration DIRECT_PATH_TIMEOUT = Duration.ofSeconds(10);

    /** What the call needs from the client around it. */
    interface Environment {
        /** Seals {@code body} for one device and sends it as a call signal; failures are logged, never thrown. */
        void signal(String callId, CallParticipant to, CallSignalKind kind, CallSignalBody.Builder body);

        /** Opens the transport to the relay's media forwarder for this device's route. */
        MediaTransport openForwarder(MediaRoute route);

        DirectPath.Factory directPaths();

        /** Something the user should see (path chosen, key rotated...). */
        void update(CallUpdate update);
    }

    private final String callId;
    private final CallParticipant self;
    private final CallOptions options;
    private final Environment environment;
    private final ScheduledExecutorService worker;
    private final CallMedia media;
    private final ScheduledFuture<?> rotation;
    private List<CallParticipant> participants = List.of();
    private MediaTransport forwarder;
    private int forwarderGeneration;
    private boolean closed;
    private DirectPath directPath;
    private CallParticipant directPeer;
    private MediaTransport direct;
    private long directDeadline;
    // The peer whose direct path failed: its call stays on the forwarder instead of holding media again.
    private String directFailedWith;
    private DirectRole directRole = DirectRole.NONE;

    /** This device's part in setting up the direct path of a 1:1 call. */
    private enum DirectRole { NONE, OFFER, AWAIT_OFFER }

    ActiveCall(String callId, CallParticipant self, CallOptions options, Environment environment, ScheduledExecutorService worker) {
        this.callId = callId;
        this.self = self;
        this.options = options;
        this.environment = environment;
        this.worker = worker;
        this.media = new CallMedia(get(options.audio()), get(options.speaker()), get(options.videoSource()), options.recordDir(),
                (sourceId, kid) -> worker.execute(() -> keyMissing(sourceId)));
        long every = options.keyRotation().toMillis();
        this.rotation = worker.scheduleAtFixedRate(() -> rotateKey("interval"), every, every, TimeUnit.MILLISECONDS);
    }

    String callId() {
        return callId;
    }

    List<CallParticipant> participants() {
        return participants;
    }

    /** The other devices in the call. */
    List<CallParticipant> others() {
        return participants.stream().filter(p -> !same(p, self)).toList();
    }

    CallMedia media() {
        return media;
    }

    /** This device (re)joined with a fresh route: media goes to the forwarder admitted by it; everyone gets its key. */
    void joined(MediaRoute route, List<CallParticipant> now) {
        participants = List.copyOf(now);
        // The device that joins a 1:1 call (answers, or comes back after a crash) offers the direct path.
        directRole = others().size() == 1 ? DirectRole.OFFER : DirectRole.NONE;
        distribute(media.currentKey(), others());
        openForwarder(route);
        choosePath();
    }

    /**
     * Opening waits for the forwarder's first echo: it runs on its own thread, never on the
     * worker, so a call that ends at once (busy, declined) or a slow forwarder blocks nothing.
     * Until it is open the previous route (after a rejoin) or nothing carries the media.
     */
    private void openForwarder(MediaRoute route) {
        int generation = ++forwarderGeneration;
        OwnThread.run("securecomm-forwarder-open", () -> environment.openForwarder(route)).whenComplete((transport, failure) -> worker.execute(() -> {
            if (closed || generation != forwarderGeneration) {
                if (transport != null) {
                    transport.close();
                }
                return;
            }
            if (failure != null) {
                LOG.log(System.Logger.Level.WARNING, "call " + callId + ": " + failure.getMessage());
                return;
            }
            MediaTransport previous = forwarder;
            forwarder = transport;
            forwarder.onReceive(media::receive);
            choosePath();
            if (previous != null) {
                previous.close();
            }
        }));
    }

    /** The relay's CallParticipants push: rotate on any change so a newcomer cannot read earlier media. */
    void participantsChanged(List<CallParticipant> now) {
        Set<String> before = labels(participants);
        Set<String> after = labels(now);
        boolean wasAlone = others().isEmpty();
        participants = List.copyOf(now);
        if (wasAlone && others().size() == 1) {
            directRole = DirectRole.AWAIT_OFFER; // the one who joined offers
        } else if (others().size() != 1) {
            directRole = DirectRole.NONE; // a group call, or one left of a group: the forwarder carries it
        }
        if (directPeer != null && !after.contains(label(directPeer))) {
            closeDirect();
        }
        if (!before.equals(after)) {
            rotateKey("membership");
        }
        choosePath();
    }

    void onSignal(CallParticipant from, CallSignalKind kind, CallSignalBody body) {
        switch (body.getBodyCase()) {
            case KEY -> {
                SFrameKeyGrant grant = body.getKey();
                media.addKey(label(from), grant.getSourceId(), new SenderKey(grant.getKeyId(), grant.getBaseKey().toByteArray()));
            }
            case KEY_REQUEST -> {
                if (body.getKeyRequest().getSourceId() == media.sourceId()) {
                    distribute(media.currentKey(), List.of(from));
                }
            }
            case ICE -> onIce(from, kind, body.getIce());
            default -> LOG.log(System.Logger.Level.DEBUG, "ignoring call signal " + kind + " in " + callId);
        }
    }

    private void rotateKey(String why) {
        SenderKey key = media.rotate();
        distribute(key, others());
        environment.update(new CallUpdate.KeyRotated(callId, key.kid(), why));
    }

    private void distribute(SenderKey key, List<CallParticipant> to) {
        for (CallParticipant p : to) {
            environment.signal(callId, p, CallSignalKind.KEY, CallSignalBody.newBuilder().setKey(SFrameKeyGrant.newBuilder()
                    .setSourceId(media.sourceId()).setKeyId(key.kid()).setBaseKey(ByteString.copyFrom(key.baseKey()))));
        }
    }

    /** Resync: ask the sender of {@code sourceId} (everyone, if no key of it ever arrived) for its current key. */
    private void keyMissing(int sourceId) {
        String owner = media.participantOf(sourceId);
        List<CallParticipant> ask = others().stream().filter(p -> owner == null || label(p).equals(owner)).toList();
        for (CallParticipant p : ask) {
            environment.signal(callId, p, CallSignalKind.KEY_REQUEST,
                    CallSignalBody.newBuilder().setKeyRequest(SFrameKeyRequest.newBuilder().setSourceId(sourceId)));
        }
    }

    // ------------------------------------------------------------ paths

    /**
     * A call that is 1:1 from the start (or again after a crash of one side) waits up to
     * {@link #DIRECT_PATH_TIMEOUT} for its direct ICE path and falls back to the forwarder; a group
     * call, what is left of one, or a call whose direct path failed uses the forwarder. Only the
     * joining device offers, so the two sides never offer at once.
     */
    private void choosePath() {
        List<CallParticipant> others = others();
        if (others.size() != 1) {
            closeDirect(); // a 1:1 call that became a group call (or emptied) leaves its direct path
        }
        if (others.isEmpty()) {
            media.sendVia(null);
            return;
        }
        if (others.size() == 1 && directPaths() != null && !label(others.get(0)).equals(directFailedWith)) {
            CallParticipant peer = others.get(0);
            if (direct != null && same(peer, directPeer)) {
                use(direct, direct.describe());
                return;
            }
            if (directPath == null && directDeadline == 0 && directRole != DirectRole.NONE) {
                directPeer = peer;
                directDeadline = System.nanoTime() + DIRECT_PATH_TIMEOUT.toNanos();
                if (directRole == DirectRole.OFFER) {
                    describeTo(peer, CallSignalKind.OFFER);
                }
                directRole = DirectRole.NONE;
                worker.schedule(this::directTimedOut, DIRECT_PATH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (directDeadline != 0) {
                media.sendVia(null); // hold briefly: the 1:1 media should not cross the relay if it need not
                return;
            }
        }
        use(forwarder, "forwarder");
    }

    private void use(MediaTransport transport, String description) {
        if (transport == null) {
            media.sendVia(null); // the forwarder is not open yet: hold
            return;
        }
        if (media.path() != transport) {
            media.sendVia(transport);
            environment.update(new CallUpdate.MediaPath(callId, description));
        }
    }

    /** Gathers this side's candidates and sends them as OFFER or ANSWER; false when gathering failed. */
    private boolean describeTo(CallParticipant peer, CallSignalKind kind) {
        try {
            directPath = directPaths().create(options);
        } catch (RuntimeException e) {
            directFailed(peer, e);
            return false;
        }
        environment.signal(callId, peer, kind, CallSignalBody.newBuilder().setIce(directPath.localDescription()));
        return true;
    }

    /** No direct path with {@code peer} (gathering or checks failed): the forwarder carries the call. */
    private void directFailed(CallParticipant peer, Throwable why) {
        LOG.log(System.Logger.Level.INFO, "call " + callId + ": no direct path (" + why.getMessage() + "), using the forwarder");
        closeDirect();
        directFailedWith = label(peer);
        use(forwarder, "forwarder (no direct path)");
    }

    private void onIce(CallParticipant from, CallSignalKind kind, IceDescription remote) {
        if (directPaths() == null || others().size() != 1 || !same(from, others().get(0))) {
            return;
        }
        boolean controlling = kind != CallSignalKind.OFFER;
        if (!controlling) {
            closeDirect();
            directPeer = from;
            if (!describeTo(from, CallSignalKind.ANSWER)) {
                return;
            }
        } else if (directPath == null) {
            return; // an answer to an offer this device no longer has
        }
        DirectPath path = directPath;
        path.connect(remote, controlling).whenComplete((transport, failure) -> worker.execute(() -> {
            if (path != directPath) {
                if (transport != null) {
                    transport.close();
                }
                return;
            }
            if (failure != null) {
                directFailed(from, failure);
                return;
            }
            transport.onReceive(media::receive);
            direct = transport;
            directDeadline = 0;
            directFailedWith = null;
            choosePath();
        }));
    }

    private void directTimedOut() {
        if (direct == null && directDeadline != 0 && System.nanoTime() >= directDeadline && directPeer != null) {
            directFailed(directPeer, new IllegalStateException("timed out after " + DIRECT_PATH_TIMEOUT.toSeconds() + " s"));
        }
    }

    private void closeDirect() {
        if (direct != null) {
            direct.close();
            direct = null;
        }
        if (directPath != null) {
            directPath.close();
            directPath = null;
        }
        directPeer = null;
        directDeadline = 0;
    }

    // ------------------------------------------------------------ helpers

    /** ICE agents for the direct path, or null when this call goes through the forwarder only. */
    private DirectPath.Factory directPaths() {
        return options.directPath() ? environment.directPaths() : null;
    }

    private static <T> T get(java.util.function.Supplier<T> supplier) {
        return supplier == null ? null : supplier.get();
    }

    static String label(CallParticipant p) {
        return p.getAddress() + "." + p.getDeviceId();
    }

    private static boolean same(CallParticipant a, CallParticipant b) {
        return b != null && a.getDeviceId() == b.getDeviceId() && a.getAddress().equals(b.getAddress());
    }

    private static Set<String> labels(List<CallParticipant> list) {
        Set<String> labels = new LinkedHashSet<>();
        list.forEach(p -> labels.add(label(p)));
        return labels;
    }

    @Override
    public void close() {
        closed = true;
        rotation.cancel(false);
        media.sendVia(null);
        closeDirect();
        if (forwarder != null) {
            forwarder.close();
        }
        media.close();
    }
}
