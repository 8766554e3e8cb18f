package org.securecomm.bench;

import java.util.OptionalLong;

/**
 * One system's figures of the idle connections comparison: how many logged in, how fast, how many
 * were still open after the idle period, and the server's memory with the users registered but not
 * connected (before) and with them connected (after). Heap is a JVM figure (SecureComm only).
 */
public record IdleFigures(String system, int requested, int connected, double connectSeconds, int stillOpen,
                          OptionalLong rssBeforeKib, OptionalLong rssAfterKib, OptionalLong heapBeforeKib, OptionalLong heapAfterKib,
                          CpuWindow.Usage connectCpu, String errors) {

    public double connectionsPerSecond() {
        return connectSeconds <= 0 ? 0 : connected / connectSeconds;
    }

    /** RSS growth per open connection in KiB, or NaN. */
    public double rssPerConnectionKib() {
        return perConnection(rssBeforeKib, rssAfterKib);
    }

    public double heapPerConnectionKib() {
        return perConnection(heapBeforeKib, heapAfterKib);
    }

    private double perConnection(OptionalLong before, OptionalLong after) {
        return before.isPresent() && after.isPresent() && stillOpen > 0
                ? (after.getAsLong() - before.getAsLong()) / (double) stillOpen : Double.NaN;
    }
}
