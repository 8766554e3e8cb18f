package org.securecomm.relay.media;

import static org.securecomm.protocol.MediaDatagrams.FORWARDED_MEDIA;
import static org.securecomm.protocol.MediaDatagrams.KEEPALIVE_ECHO;
import static org.securecomm.protocol.MediaDatagrams.MAX_DATAGRAM;
import static org.securecomm.protocol.MediaDatagrams.PAYLOAD_HEADER;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one cascade link's socket. FORWARDED_MEDIA from the remote forwarder goes, as it is, to
 * every latched LOCAL participant of the room from the client socket {@code out} (which shares
 * this socket's thread); never up any link, so media cannot loop between forwarders. A keepalive
 * echo marks the link alive. Anything else, or anything from another address, is dropped.
 */
final class CascadeHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(CascadeHandler.class);
    private static final int ECHO_BYTES = 1 + 4;

    private final CascadeLink link;
    private final MediaRoom room;
    private final Channel out;
    private final MediaForwarder forwarder;
    private final MediaForwarder.Listener listener;
    private final Delivery delivery;

    CascadeHandler(CascadeLink link, MediaRoom room, Channel out, MediaForwarder forwarder, MediaForwarder.Listener listener,
                   Delivery delivery) {
        this.link = link;
        this.room = room;
        this.out = out;
        this.forwarder = forwarder;
        this.listener = listener;
        this.delivery = delivery;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf content = packet.content();
        int length = content.readableBytes();
        PacketTap tap = delivery.arrived(packet, length);
        listener.linkReceived(length);
        if (!link.remote().equals(packet.sender())) {
            drop(DropReason.NOT_LINKED);
            return;
        }
        byte type = length == 0 ? 0 : content.getByte(content.readerIndex());
        if (type == KEEPALIVE_ECHO && length == ECHO_BYTES) {
            link.echoed();
        } else if (type == FORWARDED_MEDIA && length >= 1 + PAYLOAD_HEADER && length <= MAX_DATAGRAM) {
            link.receivedDown(length);
            // The datagram is already FORWARDED_MEDIA: every local receiver shares the received buffer.
            delivery.toMembers(out, content, room.members(), null, tap);
        } else {
            drop(DropReason.MALFORMED);
        }
    }

    private void drop(DropReason reason) {
        link.dropped();
        forwarder.drop(reason);
    }

    // The writes of one read batch of this socket leave the client socket in one flush.
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        out.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("cascade link datagram failed: {}", cause.toString());
    }
}
