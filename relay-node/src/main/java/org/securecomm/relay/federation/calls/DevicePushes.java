package org.securecomm.relay.federation.calls;

import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.federation.v1.DevicePush;

/** Delivers a push from another cluster's call room to the connected devices of a local account. */
public interface DevicePushes {

    CompletionStage<Void> push(DevicePush push);
}
