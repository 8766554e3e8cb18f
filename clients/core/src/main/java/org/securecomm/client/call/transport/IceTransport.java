package org.securecomm.client.call.transport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.ice4j.ice.CandidatePair;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Component;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.securecomm.protocol.MediaDatagrams;

/**
 * Media on the pair ICE selected: FORWARDED_MEDIA datagrams (0x02 | payload) straight to the peer,
 * or through TURN when a side's candidate is a relay. ice4j's component socket merges what arrives
 * on every candidate (STUN stays inside ice4j); {@link Component#send} picks the selected pair's socket.
 */
final class IceTransport implements MediaTransport {

    private static final System.Logger LOG = System.getLogger(IceTransport.class.getName());
    /** How often the receive loop looks at the closed flag when nothing arrives. */
    private static final int RECEIVE_POLL_MILLIS = 250;

    private final IceSession session;
    private final Component component;
    private final DatagramSocket socket;
    private final SelectedPair selected;
    private final Inbound inbound = new Inbound();
    private final Thread receiveThread;
    private volatile boolean closed;

    IceTransport(IceSession session, Component component, CandidatePair pair) throws MediaTransportException {
        this.session = session;
        this.component = component;
        this.socket = component.getSocket();
        if (socket == null) {
            throw new MediaTransportException("ice4j's component socket is off (ice4j.use-component-socket=false)");
        }
        this.selected = selected(pair);
        try {
            socket.setSoTimeout(RECEIVE_POLL_MILLIS);
        } catch (IOException e) {
            throw new MediaTransportException("cannot configure the ICE media socket", e);
        }
        this.receiveThread = Inbound.daemon(this::receiveLoop, "ice-receive");
        receiveThread.start();
    }

    static SelectedPair selected(CandidatePair pair) {
        LocalCandidate local = pair.getLocalCandidate();
        RemoteCandidate remote = pair.getRemoteCandidate();
        return new SelectedPair(local.getType().toString(), hostPort(local.getTransportAddress()),
                remote.getType().toString(), hostPort(remote.getTransportAddress()));
    }

    private static String hostPort(TransportAddress address) {
        String host = address.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    @Override
    public void send(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        byte[] datagram = MediaDatagrams.forwarded(payload);
        if (closed) {
            return;
        }
        try {
            component.send(datagram, 0, datagram.length);
            inbound.sent();
        } catch (IOException e) {
            // Real-time media: a datagram that cannot go now is dropped, never queued.
            LOG.log(Level.DEBUG, "media datagram not sent on {0}: {1}", selected.describe(), e.toString());
        }
    }

    private void receiveLoop() {
        byte[] buffer = new byte[MediaDatagrams.MAX_DATAGRAM + 1];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            packet.setData(buffer);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "receiving on {0} failed: {1}", selected.describe(), e.toString());
                }
                return;
            }
            if (packet.getLength() > MediaDatagrams.MAX_DATAGRAM
                    || !inbound.deliverForwarded(packet.getData(), packet.getOffset(), packet.getLength())) {
                inbound.dropped();
            }
        }
    }

    @Override
    public void onReceive(Consumer<byte[]> receiver) {
        inbound.receiver(receiver);
    }

    @Override
    public String describe() {
        return selected.describe();
    }

    @Override
    public Stats stats() {
        return inbound.stats();
    }

    SelectedPair selectedPair() {
        return selected;
    }

    /** Closes the ICE session (TURN allocation, sockets) and joins the receive thread. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        Inbound.awaitEnd(receiveThread, Duration.ofSeconds(2));
    }
}
