package org.securecomm.relay.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * Counts what arrives, and writes datagrams to local participants from one of the forwarder's client sockets: the same
 * path for media of a local sender and for media a cascade link brought down. Writes are not
 * flushed here: the reading handler flushes once per read batch. Called on the channel's own
 * event loop only (the caller reads on it), so the writes are direct, never queued as tasks.
 */
final class Delivery {

    private final MediaForwarder forwarder;
    private final MediaForwarder.Listener listener;

    Delivery(MediaForwarder forwarder, MediaForwarder.Listener listener) {
        this.forwarder = forwarder;
        this.listener = listener;
    }

    /** Shows an arriving datagram to the tap and the metrics, before any check; answers the tap for the sends it causes. */
    PacketTap arrived(DatagramPacket packet, int length) {
        PacketTap tap = forwarder.currentTap();
        if (tap != null) {
            tap.received(packet.sender(), ByteBufUtil.getBytes(packet.content()));
        }
        listener.received(length);
        return tap;
    }

    /**
     * A FORWARDED_MEDIA datagram to every latched member but {@code except} (null: all), shared
     * (not copied) by every receiver's write. The caller keeps its reference and releases it.
     */
    void toMembers(Channel out, ByteBuf forwarded, MediaParticipant[] members, MediaParticipant except, PacketTap tap) {
        for (MediaParticipant to : members) {
            InetSocketAddress address = to.address();
            if (to != except && address != null) {
                send(out, forwarded.retainedDuplicate(), to, address, tap);
            }
        }
    }

    /** Writes {@code datagram} (released in every case) unless the socket is full. */
    void send(Channel out, ByteBuf datagram, MediaParticipant to, InetSocketAddress address, PacketTap tap) {
        if (!out.isWritable()) {
            datagram.release();
            to.droppedOut();
            forwarder.drop(DropReason.OVERLOADED);
            return;
        }
        int bytes = datagram.readableBytes();
        if (tap != null) {
            tap.sent(address, ByteBufUtil.getBytes(datagram));
        }
        out.write(new DatagramPacket(datagram, address), out.voidPromise());
        to.sent(bytes);
        listener.sent(bytes);
    }
}
