package org.securecomm.bench;

import java.util.ArrayList;
import java.util.List;

/** The workloads a scenario asks for, in the order they are set up, started and reported. */
final class MixWorkloads {

    private MixWorkloads() {
    }

    static List<MixWorkload> of(MixSettings settings) {
        List<MixWorkload> workloads = new ArrayList<>();
        if (settings.storm().devices() > 0) {
            workloads.add(new IdleWorkload(settings.storm(), settings.heartbeat().toMillis()));
        }
        for (MixSettings.Flow flow : List.of(settings.messaging(), settings.fanout())) {
            if (flow.enabled()) {
                workloads.add(new MessagingWorkload(flow, settings));
            }
        }
        settings.calls().ifPresent(calls -> workloads.add(new CallWorkload(calls)));
        settings.signal().ifPresent(signal -> workloads.add(new SignalMessagingWorkload(signal)));
        return workloads;
    }
}
