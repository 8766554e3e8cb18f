package org.securecomm.client.call.transport;

import java.beans.PropertyChangeListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RelayedCandidate;
import org.ice4j.ice.harvest.TurnCandidateHarvester;
import org.ice4j.security.LongTermCredential;
import org.securecomm.protocol.content.v1.IceCandidate;
import org.securecomm.protocol.content.v1.IceDescription;

/**
 * ICE (RFC 8445, full, not trickled) for the direct path of a 1:1 call: one ice4j agent with one
 * stream of one UDP component. {@link #create} gathers the candidates (host, and relay through
 * TURN), {@link #localDescription()} goes into the end-to-end encrypted OFFER or ANSWER, and
 * {@link #connect} runs the connectivity checks against the peer's description and returns the
 * path as a {@link MediaTransport}. One session serves one connect; closing the transport closes
 * the session.
 */
public final class IceSession implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(IceSession.class.getName());
    private static final String STREAM = "media";

    static {
        // A client never runs on EC2 as a server: ice4j's AWS mapping harvester would otherwise
        // query the instance metadata endpoint (an internet round trip or a timeout) per agent.
        // Must be set before ice4j reads its configuration (once, on first use).
        if (System.getProperty("ice4j.harvest.mapping.aws.enabled") == null) {
            System.setProperty("ice4j.harvest.mapping.aws.enabled", "false");
        }
    }

    private final IceConfig config;
    private final Agent agent;
    private final IceMediaStream stream;
    private final Component component;
    private final RelayOnlyCandidates relayOnly;
    private final IceDescription localDescription;
    private boolean connecting;
    private volatile IceTransport transport;
    private boolean closed;

    private IceSession(IceConfig config, Agent agent, IceMediaStream stream, Component component,
                       RelayOnlyCandidates relayOnly) {
        this.config = config;
        this.agent = agent;
        this.stream = stream;
        this.component = component;
        this.relayOnly = relayOnly;
        this.localDescription = IceDescription.newBuilder()
                .setUfrag(agent.getLocalUfrag())
                .setPassword(agent.getLocalPassword())
                .addAllCandidates(component.getLocalCandidates().stream().map(IceCandidates::toProto).toList())
                .setRelayOnly(config.policy() == IcePolicy.RELAY)
                .build();
    }

    /**
     * Gathers candidates; blocks while TURN servers allocate (one round trip each, up to ice4j's
     * harvest timeout for an unreachable one). Fails when no candidate is left for the policy,
     * e.g. RELAY with wrong or expired TURN credentials.
     */
    public static IceSession create(IceConfig config) throws MediaTransportException {
        Objects.requireNonNull(config, "config");
        Agent agent = new Agent();
        RelayOnlyCandidates relayOnly = null;
        try {
            // Dynamic ports = ice4j's own host harvester over the network interfaces.
            agent.setUseDynamicPorts(config.interfaceCandidates());
            if (config.loopbackCandidates()) {
                agent.addCandidateHarvester(new LoopbackHarvester());
            }
            for (TurnServer turn : config.turnServers()) {
                agent.addCandidateHarvester(new TurnCandidateHarvester(
                        new TransportAddress(turn.host(), turn.port(), Transport.UDP),
                        new LongTermCredential(turn.username(), turn.password())));
            }
            IceMediaStream stream = agent.createMediaStream(STREAM);
            Component component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
            List<LocalCandidate> relays = component.getLocalCandidates().stream()
                    .filter(c -> c.getType() == CandidateType.RELAYED_CANDIDATE).toList();
            if (!config.turnServers().isEmpty() && relays.isEmpty()) {
                String what = "no TURN server of " + config.turnServers() + " gave a relay candidate: wrong or expired"
                        + " TURN credentials, or the server is unreachable over UDP";
                if (config.policy() == IcePolicy.RELAY) {
                    throw new MediaTransportException("ICE policy RELAY: " + what);
                }
                LOG.log(Level.WARNING, "{0}; trying without a relay", what);
            }
            if (config.policy() == IcePolicy.RELAY) {
                relayOnly = RelayOnlyCandidates.restrict(component);
            }
            if (component.getLocalCandidateCount() == 0) {
                throw new MediaTransportException("ICE gathered no candidate (" + config + ")");
            }
            return new IceSession(config, agent, stream, component, relayOnly);
        } catch (IOException | RuntimeException e) {
            agent.free();
            if (relayOnly != null) {
                relayOnly.close();
            }
            if (e instanceof MediaTransportException mte) {
                throw mte;
            }
            throw new MediaTransportException("ICE candidate gathering failed: " + e.getMessage(), e);
        }
    }

    /** This side's ufrag, password and candidates for the OFFER or ANSWER (with RELAY: relay candidates only). */
    public IceDescription localDescription() {
        return localDescription;
    }

    public IcePolicy policy() {
        return config.policy();
    }

    /** The pair media uses once {@link #connect} succeeded. */
    public Optional<SelectedPair> selectedPair() {
        IceTransport connected = transport;
        return connected == null ? Optional.empty() : Optional.of(connected.selectedPair());
    }

    /**
     * Runs the connectivity checks against the peer's description and returns the selected path.
     * The caller of the call is {@code controlling}, the callee not (both must agree). Fails with
     * which pairs were tried when no pair succeeded, or after {@code timeout}; the session is closed then.
     */
    public synchronized MediaTransport connect(IceDescription remote, boolean controlling, Duration timeout)
            throws MediaTransportException {
        Objects.requireNonNull(remote, "remote");
        if (closed || connecting) {
            throw new IllegalStateException("an IceSession connects once");
        }
        connecting = true;
        try {
            return establish(remote, controlling, timeout);
        } catch (MediaTransportException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private MediaTransport establish(IceDescription remote, boolean controlling, Duration timeout)
            throws MediaTransportException {
        List<IceCandidate> usable = remote.getCandidatesList().stream()
                .filter(c -> IceCandidates.usable(c, component)).toList();
        if (usable.isEmpty()) {
            throw new MediaTransportException("the peer's ICE description has no usable UDP candidate ("
                    + remote.getCandidatesCount() + " candidates)");
        }
        agent.setControlling(controlling);
        stream.setRemoteUfrag(remote.getUfrag());
        stream.setRemotePassword(remote.getPassword());
        usable.forEach(c -> component.addRemoteCandidate(IceCandidates.toRemote(c, component)));

        CompletableFuture<IceProcessingState> over = new CompletableFuture<>();
        PropertyChangeListener listener = event -> {
            IceProcessingState state = (IceProcessingState) event.getNewValue();
            if (state.isEstablished() || state == IceProcessingState.FAILED) {
                over.complete(state);
            }
        };
        agent.addStateChangeListener(listener);
        agent.startConnectivityEstablishment();
        IceProcessingState state;
        try {
            state = over.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new MediaTransportException("ICE did not complete within " + timeout + "; pairs: " + pairs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaTransportException("interrupted while ICE was checking pairs", e);
        } catch (ExecutionException e) {
            throw new MediaTransportException("ICE failed", e.getCause());
        } finally {
            agent.removeStateChangeListener(listener);
        }
        CandidatePair selected = component.getSelectedPair();
        if (state == IceProcessingState.FAILED || selected == null) {
            throw new MediaTransportException("ICE failed: no candidate pair succeeded (local "
                    + localDescription.getCandidatesCount() + ", remote " + usable.size() + " candidates; pairs: "
                    + pairs() + ")");
        }
        if (config.policy() == IcePolicy.RELAY
                && selected.getLocalCandidate().getType() != CandidateType.RELAYED_CANDIDATE) {
            throw new MediaTransportException("ICE policy RELAY but the selected pair is not relayed: "
                    + selected.toShortString());
        }
        IceTransport transport = new IceTransport(this, component, selected);
        this.transport = transport;
        LOG.log(Level.INFO, "ICE connected: {0}", transport.describe());
        return transport;
    }

    private String pairs() {
        return stream.getCheckList().stream()
                .map(pair -> pair.getLocalCandidate().getType() + "->" + pair.getRemoteCandidate().getType() + " "
                        + pair.getState())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * Closing a relayed socket sends the TURN Refresh with lifetime 0 that deletes the allocation.
     * Agent.free() alone stops the STUN stack first ("Connector stopped"), so coturn would keep the
     * allocation, and count it against the user's quota, until it expires (10 min).
     */
    private void releaseAllocations() {
        for (LocalCandidate candidate : component.getLocalCandidates()) {
            if (candidate instanceof RelayedCandidate relayed && relayed.getCandidateIceSocketWrapper() != null) {
                relayed.getCandidateIceSocketWrapper().close();
            }
        }
    }

    /** Stops ICE, releases TURN allocations and closes every socket. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseAllocations();
        agent.free();
        if (relayOnly != null) {
            relayOnly.close();
        }
    }
}
