package org.securecomm.relay.gateway;

import com.google.protobuf.ByteString;
import org.securecomm.protocol.MediaDatagrams;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.relay.media.MediaAdmission;

/** A forwarder admission as the MediaRoute of the protocols (client API, federation cascade). */
public final class MediaRoutes {

    private MediaRoutes() {
    }

    public static MediaRoute route(MediaAdmission.Route route) {
        return MediaRoute.newBuilder().setHost(route.host()).setPort(route.port())
                .setRoomId(ByteString.copyFrom(MediaDatagrams.bytesOf(route.roomId())))
                .setToken(ByteString.copyFrom(MediaDatagrams.bytesOf(route.token()))).build();
    }
}
