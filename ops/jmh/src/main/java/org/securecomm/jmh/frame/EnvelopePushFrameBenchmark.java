package org.securecomm.jmh.frame;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.securecomm.relay.gateway.GatewayFrames;
import org.securecomm.relay.mailbox.StoredEnvelope;

/** The push of one stored 256-byte envelope to its device: the Envelope built, framed and encoded. */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EnvelopePushFrameBenchmark {

    private StoredEnvelope stored;

    @Setup
    public void setUp() {
        stored = Frames.stored(new Random(11));
    }

    @Benchmark
    public Message encodeEnvelopePush() {
        return GatewayFrames.encode(GatewayFrames.push(stored));
    }

    StoredEnvelope stored() {
        return stored;
    }
}
