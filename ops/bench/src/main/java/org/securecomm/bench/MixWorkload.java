package org.securecomm.bench;

/**
 * One kind of load in the realistic mix (messaging, calls, real libsignal traffic, ...), run beside the
 * others against the same node. The mix calls, in order: {@link #setUp}, {@link #start}, {@link #progress}
 * every few seconds, {@link #stop}, {@link #report}, then {@link #close} (also after a failure).
 */
interface MixWorkload extends AutoCloseable {

    /** Short name for progress lines and metrics ("calls", "signal", ...). */
    String name();

    /** Registers and connects what the workload needs, and blocks until it is ready to start. */
    void setUp(MixContext context) throws Exception;

    /** Starts the load and returns at once. */
    void start();

    /** A short fragment for the progress line, covering the interval since the last call. */
    String progress();

    /** Stops offering load and waits (bounded) for what is in flight. */
    void stop();

    /** Its figures into the summary: text lines, and metrics with system "securecomm". */
    void report(Report report);

    /** Closes its connections and sockets; safe to call more than once and after a failed setUp. */
    @Override
    void close();
}
