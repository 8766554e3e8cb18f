package org.securecomm.desktop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.CallStats;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.client.call.transport.IcePolicy;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.TestClients;

/**
 * Call set-up time on this machine: an in-process relay (with coturn behind its TURN credentials)
 * on a local Cassandra, two registered clients; the caller rings, the callee answers as soon as
 * its device rings, and the clock stops at the first decrypted audio frame on each side.
 * A program, not a test: {@code CallSetupBenchmark [calls] [all|relay]}.
 */
public final class CallSetupBenchmark {

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        IcePolicy policy = args.length > 1 && args[1].equals("relay") ? IcePolicy.RELAY : IcePolicy.ALL;
        Path dir = Files.createTempDirectory("securecomm-call-bench");
        SecureCommClient caller = TestClients.register(dir.resolve("caller"), "benchcaller");
        SecureCommClient callee = TestClients.register(dir.resolve("callee"), "benchcallee");
        CallProbe alice = new CallProbe(caller);
        CallProbe bob = new CallProbe(callee);
        CallOptions options = CallOptions.defaults().withIceLoopback(true).withIcePolicy(policy);
        List<Double> toRing = new ArrayList<>();
        List<Double> ringToCallee = new ArrayList<>();
        List<Double> ringToCaller = new ArrayList<>();
        String path = "";
        for (int i = 0; i < calls + 3; i++) {
            long start = System.nanoTime();
            String callId = alice.calls().place(List.of(callee.address()), options);
            CallUpdate.Ringing ringing = bob.await(CallUpdate.Ringing.class, r -> r.callId().equals(callId), Duration.ofSeconds(30));
            long rang = System.nanoTime();
            bob.calls().answer(ringing.callId(), options);
            long calleeHeard = firstAudio(bob);
            long callerHeard = firstAudio(alice);
            path = alice.calls().mediaPath().orElse("?");
            alice.calls().hangUp();
            TestClients.await("the callee's call ended", Duration.ofSeconds(30), () -> bob.calls().activeCallId().isEmpty());
            if (i >= 3) { // the first calls warm up the JIT and the sessions
                toRing.add((rang - start) / 1e6);
                ringToCallee.add((calleeHeard - rang) / 1e6);
                ringToCaller.add((callerHeard - rang) / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "%d calls, ICE policy %s, last media path: %s%n", calls, policy, path);
        print("place -> callee rings", toRing);
        print("ring -> first decrypted audio at the callee", ringToCallee);
        print("ring -> first decrypted audio at the caller", ringToCaller);
        caller.close();
        callee.close();
        System.exit(0);
    }

    /** System.nanoTime() of the first decrypted audio frame in the current call, waiting for it. */
    private static long firstAudio(CallProbe probe) throws InterruptedException {
        long[] at = {0};
        TestClients.await("first audio", Duration.ofSeconds(30), () -> {
            CallStats stats = probe.calls().mediaStats().orElse(null);
            at[0] = stats == null ? 0 : stats.streams().stream().mapToLong(CallStats.Stream::firstAudioNanos).filter(t -> t != 0).min().orElse(0);
            return at[0] != 0;
        });
        return at[0];
    }

    private static void print(String what, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "%-46s p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms%n", what, percentile(sorted, 50),
                percentile(sorted, 99), sorted.get(sorted.size() - 1));
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
