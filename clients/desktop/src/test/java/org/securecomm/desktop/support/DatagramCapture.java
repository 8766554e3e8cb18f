package org.securecomm.desktop.support;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.relay.media.MediaForwarder;
import org.securecomm.relay.media.PacketTap;

/**
 * Every datagram a media forwarder receives and sends while installed (its client sockets and its
 * cascade links' sockets), with the peer address: what crossed it, and from whom.
 */
public final class DatagramCapture implements PacketTap, AutoCloseable {

    /** One datagram: {@code received} by the forwarder from {@code peer}, or sent to it. */
    public record Datagram(boolean received, InetSocketAddress peer, byte[] bytes) {
        public byte type() {
            return bytes.length == 0 ? 0 : bytes[0];
        }
    }

    private final MediaForwarder forwarder;
    private final ConcurrentLinkedQueue<Datagram> datagrams = new ConcurrentLinkedQueue<>();

    private DatagramCapture(MediaForwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** Installs a capture as the forwarder's tap (replacing any other) until {@link #close()}. */
    public static DatagramCapture on(MediaForwarder forwarder) {
        DatagramCapture capture = new DatagramCapture(forwarder);
        forwarder.tap(capture);
        return capture;
    }

    @Override
    public void received(InetSocketAddress from, byte[] datagram) {
        datagrams.add(new Datagram(true, from, datagram));
    }

    @Override
    public void sent(InetSocketAddress to, byte[] datagram) {
        datagrams.add(new Datagram(false, to, datagram));
    }

    public List<Datagram> all() {
        return List.copyOf(datagrams);
    }

    /** The bytes of every datagram in and out. */
    public List<byte[]> bytes() {
        return datagrams.stream().map(Datagram::bytes).toList();
    }

    /** Client MEDIA datagrams the forwarder received (from devices, or from other forwarders' cascade links). */
    public long mediaReceived() {
        return datagrams.stream().filter(d -> d.received() && d.type() == MediaDatagrams.CLIENT_MEDIA).count();
    }

    /** Who sent the forwarder client MEDIA datagrams. */
    public Set<InetSocketAddress> mediaSenders() {
        return datagrams.stream().filter(d -> d.received() && d.type() == MediaDatagrams.CLIENT_MEDIA)
                .map(Datagram::peer).collect(Collectors.toSet());
    }

    /** Everyone the forwarder sent anything to. */
    public Set<InetSocketAddress> receivers() {
        return datagrams.stream().filter(d -> !d.received()).map(Datagram::peer).collect(Collectors.toSet());
    }

    /** Removes the tap; what was captured stays readable. */
    @Override
    public void close() {
        forwarder.tap(null);
    }
}
