package org.securecomm.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Open-loop sending at a rate that can change while it runs: the k-th send after a rate change is
 * due at {@code change + k/rate} whatever happened to earlier ones, and gets its due time, from which
 * its latency counts (no coordinated omission). Rate 0 pauses.
 */
final class Pacer extends Thread {

    private record Schedule(double rate, long startNanos) {
    }

    private final LongConsumer send;
    private volatile Schedule schedule = new Schedule(0, 0);
    private volatile boolean stopped;
    private volatile long maxLagNanos;

    Pacer(String name, LongConsumer send) {
        super(name);
        this.send = send;
        setDaemon(true);
        setPriority(Thread.MAX_PRIORITY);
    }

    /** Sends {@code perSecond} from now on. */
    void rate(double perSecond) {
        schedule = new Schedule(perSecond, System.nanoTime());
        LockSupport.unpark(this);
    }

    double rate() {
        return schedule.rate();
    }

    /** The longest a send went out after its due time since the last call (the generator falling behind). */
    long takeMaxLagNanos() {
        long lag = maxLagNanos;
        maxLagNanos = 0;
        return lag;
    }

    void shutdown() {
        stopped = true;
        LockSupport.unpark(this);
        try {
            join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        Schedule current = schedule;
        long k = 0;
        while (!stopped) {
            Schedule latest = schedule;
            if (latest != current) {
                current = latest;
                k = 0;
            }
            if (current.rate() <= 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            long due = current.startNanos() + (long) (k * (1e9 / current.rate()));
            long now = System.nanoTime();
            if (now < due) {
                LockSupport.parkNanos(Math.min(due - now, TimeUnit.MILLISECONDS.toNanos(50)));
                continue; // re-check the schedule and the stop flag
            }
            maxLagNanos = Math.max(maxLagNanos, now - due);
            send.accept(due);
            k++;
        }
    }
}
