package org.securecomm.relay.media;

import java.net.InetSocketAddress;

/**
 * Sees a copy of every datagram the forwarder receives and sends (tests: what crosses the
 * forwarder, e.g. for zero-knowledge checks). Called on the forwarder's I/O threads: keep it quick.
 */
public interface PacketTap {

    void received(InetSocketAddress from, byte[] datagram);

    void sent(InetSocketAddress to, byte[] datagram);
}
