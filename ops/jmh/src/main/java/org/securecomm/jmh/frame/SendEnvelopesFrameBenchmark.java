package org.securecomm.jmh.frame;

import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.securecomm.jmh.LocalActorSystem;
import org.securecomm.jmh.RelayDefaults;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.relay.gateway.GatewayFrames;

/**
 * The frames of one send: the client's SendEnvelopes decoded and checked as the gateway does it
 * for every frame, and the relay's EnvelopesAccepted answer built and encoded. {@code devices}:
 * a 1:1 message to a one-device account, and multi-device fan-out.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SendEnvelopesFrameBenchmark {

    @Param({"1", "3"})
    public int devices;

    private ActorSystem<Void> system;
    private GatewayFrames gateway;
    private ClientMessage request;
    private Message requestFrame;
    private List<UUID> envelopeIds;

    @Setup
    public void setUp() {
        system = LocalActorSystem.start("frame-benchmark");
        gateway = new GatewayFrames(RelayDefaults.settings().gateway(), Materializer.matFromSystem(system));
        request = Frames.sendEnvelopes(42, devices, new Random(7));
        requestFrame = BinaryMessage.create(ByteString.fromArray(request.toByteArray()));
        envelopeIds = Stream.generate(UUID::randomUUID).limit(devices).toList();
    }

    @TearDown
    public void tearDown() {
        system.terminate();
    }

    @Benchmark
    public ClientMessage decodeSendEnvelopes() {
        return gateway.decode(requestFrame);
    }

    @Benchmark
    public Message encodeEnvelopesAccepted() {
        return GatewayFrames.encode(Frames.accepted(request.getRequestId(), envelopeIds));
    }

    GatewayFrames gateway() {
        return gateway;
    }

    ClientMessage request() {
        return request;
    }

    List<UUID> envelopeIds() {
        return envelopeIds;
    }
}
