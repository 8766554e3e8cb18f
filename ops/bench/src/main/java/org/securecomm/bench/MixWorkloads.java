package org.securecomm.bench;

import com.typesafe.config.Config;
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
        workloads.addAll(fromSections(settings.callsEnabled() ? settings.calls() : null,
                settings.signalEnabled() ? settings.signal() : null));
        return workloads;
    }

    /**
     * MERGE POINT (issue 7): the scenario file's {@code calls} and {@code signal} sections, whole, to
     * their workloads; null when the section says {@code enabled = false}. The lead wires in, here only:
     * <pre>
     *   if (calls != null)  workloads.add(new CallWorkload(calls));
     *   if (signal != null) workloads.add(new SignalMessagingWorkload(signal));
     * </pre>
     * Until then an enabled section is refused, so a scenario never silently runs without them.
     */
    static List<MixWorkload> fromSections(Config calls, Config signal) {
        List<MixWorkload> workloads = new ArrayList<>();
        if (calls != null || signal != null) {
            throw new MixSettings.InvalidScenarioException((calls != null ? "calls" : "signal")
                    + ".enabled = true, but this build of the benchmark has no such workload yet", null);
        }
        return workloads;
    }
}
