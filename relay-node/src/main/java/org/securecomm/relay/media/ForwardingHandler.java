package org.securecomm.relay.media;

import static org.securecomm.protocol.MediaDatagrams.CLIENT_HEADER;
import static org.securecomm.protocol.MediaDatagrams.CLIENT_KEEPALIVE;
import static org.securecomm.protocol.MediaDatagrams.CLIENT_MEDIA;
import static org.securecomm.protocol.MediaDatagrams.FORWARDED_MEDIA;
import static org.securecomm.protocol.MediaDatagrams.KEEPALIVE_ECHO;
import static org.securecomm.protocol.MediaDatagrams.MAX_DATAGRAM;
import static org.securecomm.protocol.MediaDatagrams.PAYLOAD_HEADER;
import static org.securecomm.protocol.MediaDatagrams.ROOM_ID_BYTES;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-datagram work of the forwarder's client sockets: check, admit, latch, then echo, or fan
 * out to the other local participants and up the room's cascade links. Shared by
 * every socket of the forwarder; all state lives in the rooms. Each check only ever drops the
 * datagram at hand, so nothing a sender does touches anyone else's forwarding.
 */
@ChannelHandler.Sharable
final class ForwardingHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(ForwardingHandler.class);
    private static final int TOKEN_OFFSET = 1 + ROOM_ID_BYTES;
    private static final int HOP_SEQ_OFFSET = TOKEN_OFFSET + 8;
    private static final int ECHO_BYTES = 1 + 4;

    private final MediaForwarder forwarder;
    private final Delivery delivery;

    ForwardingHandler(MediaForwarder forwarder, Delivery delivery) {
        this.forwarder = forwarder;
        this.delivery = delivery;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf content = packet.content();
        InetSocketAddress sender = packet.sender();
        int length = content.readableBytes();
        PacketTap tap = delivery.arrived(packet, length);
        if (!wellFormed(content, length)) {
            forwarder.drop(DropReason.MALFORMED);
            return;
        }
        int start = content.readerIndex();
        MediaRoom room = forwarder.room(content.getLong(start + 1));
        if (room == null) {
            forwarder.drop(DropReason.UNKNOWN_ROOM);
            return;
        }
        MediaParticipant from = room.participant(content.getLong(start + TOKEN_OFFSET));
        if (from == null) {
            forwarder.drop(DropReason.NOT_ADMITTED);
            return;
        }
        int hopSeq = content.getInt(start + HOP_SEQ_OFFSET);
        if (!from.accept(hopSeq, sender, length)) {
            forwarder.drop(DropReason.REPLAYED);
            return;
        }
        if (content.getByte(start) == CLIENT_KEEPALIVE) {
            ByteBuf echo = ctx.alloc().buffer(ECHO_BYTES).writeByte(KEEPALIVE_ECHO).writeInt(hopSeq);
            delivery.send(ctx.channel(), echo, from, sender, tap);
        } else {
            fanOut(ctx, content, start, length, room, from, tap);
        }
    }

    /** Type, length for that type, at most MAX_DATAGRAM; MEDIA carries at least the payload header. */
    private static boolean wellFormed(ByteBuf content, int length) {
        if (length < CLIENT_HEADER || length > MAX_DATAGRAM) {
            return false;
        }
        byte type = content.getByte(content.readerIndex());
        return type == CLIENT_KEEPALIVE ? length == CLIENT_HEADER : type == CLIENT_MEDIA && length >= CLIENT_HEADER + PAYLOAD_HEADER;
    }

    /**
     * One FORWARDED_MEDIA datagram, shared (not copied) by every local receiver's write; then the
     * payload up every cascade link of the room (each with its own header, so a copy each).
     */
    private void fanOut(ChannelHandlerContext ctx, ByteBuf content, int start, int length, MediaRoom room, MediaParticipant from,
                        PacketTap tap) {
        int payload = length - CLIENT_HEADER;
        MediaParticipant[] members = room.members();
        if (members.length > 1) {
            ByteBuf forwarded = ctx.alloc().directBuffer(1 + payload).writeByte(FORWARDED_MEDIA)
                    .writeBytes(content, start + CLIENT_HEADER, payload);
            try {
                delivery.toMembers(ctx.channel(), forwarded, members, from, tap);
            } finally {
                forwarded.release();
            }
        }
        for (CascadeLink link : room.links()) {
            link.sendUp(ctx.alloc(), content, start + CLIENT_HEADER, payload, tap);
        }
    }

    // Writes of one read batch leave in one flush.
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    // A send that fails (e.g. ICMP unreachable surfaced by the socket) concerns one receiver only.
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("media datagram failed: {}", cause.toString());
    }
}
