package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.call.CallOptions;
import org.securecomm.client.call.CallUpdate;
import org.securecomm.client.call.media.AudioCorrelation;
import org.securecomm.client.call.media.CallAudio;
import org.securecomm.client.call.media.WavFileSource;
import org.securecomm.desktop.support.CallProbe;
import org.securecomm.desktop.support.Melody;
import org.securecomm.desktop.support.Recordings;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.relay.support.TestRelays;

/**
 * A 1:1 audio call between two CLI profiles with the real {@code bin/securecomm} launcher: one
 * process answers and records, the other calls and sends a WAV file; over the direct path and
 * with {@code --ice-policy relay} through the real coturn behind the test relay. The recording
 * must match the sent file, and each side's history must show the call. And a killed CLI gets back
 * into its call with {@code calls rejoin}.
 */
class CliCallTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();

    @ParameterizedTest
    @ValueSource(strings = {"all", "relay"})
    void twoCliProfilesTalk(String icePolicy, @TempDir Path dir) throws Exception {
        Path passphrase = Files.writeString(dir.resolve("passphrase"), new String(TestClients.PASSPHRASE) + "\n");
        String callee;
        try (SecureCommClient caller = TestClients.register(dir.resolve("caller"), "clicaller" + icePolicy);
             SecureCommClient answering = TestClients.register(dir.resolve("callee"), "clicallee" + icePolicy)) {
            callee = answering.address();
            caller.drain();
        }
        Path melody = Melody.write(dir.resolve("melody.wav"), 5, 10);
        Path recorded = dir.resolve("recorded");
        List<String> common = List.of("--passphrase-file", passphrase.toString(), "--ice-hosts", "loopback", "--ice-policy", icePolicy,
                "--json");
        Process answer = launcher(dir, concat(List.of("answer", "--profile", dir.resolve("callee").toString(), "--record",
                recorded.toString(), "--wait", "60"), common));
        StringBuffer answerOut = follow(answer);
        TestClients.await("the answering CLI listens", Duration.ofSeconds(60), () -> answerOut.toString().contains("\"waiting\""));
        Process call = launcher(dir, concat(List.of("call", callee, "--profile", dir.resolve("caller").toString(), "--send-audio",
                melody.toString(), "--duration", "6"), common));
        StringBuffer callOut = follow(call);
        assertTrue(call.waitFor(120, TimeUnit.SECONDS), "the call command ended");
        assertTrue(answer.waitFor(60, TimeUnit.SECONDS), "the answer command ended");
        assertEquals(0, call.exitValue(), "call: " + callOut);
        assertEquals(0, answer.exitValue(), "answer: " + answerOut);
        String expectedPath = icePolicy.equals("relay") ? "ice relay (TURN)" : "ice direct host";
        assertTrue(callOut.toString().contains(expectedPath), "the caller's media path:\n" + callOut);
        assertTrue(answerOut.toString().contains(expectedPath), "the callee's media path:\n" + answerOut);

        Path wav;
        try (Stream<Path> files = Files.list(recorded)) {
            wav = files.filter(f -> f.toString().endsWith(".wav")).findFirst().orElseThrow();
        }
        short[] reference;
        try (WavFileSource source = new WavFileSource(melody)) {
            reference = Recordings.readAll(source);
        }
        AudioCorrelation.Match match = AudioCorrelation.best(reference, Recordings.readAll(wav), 10 * CallAudio.FRAME_SAMPLES);
        assertTrue(match.coefficient() > 0.6, "the recording matches the sent WAV: " + match);

        Process history = launcher(dir, List.of("calls", "history", "--profile", dir.resolve("callee").toString(), "--passphrase-file",
                passphrase.toString(), "--json"));
        StringBuffer historyOut = follow(history);
        assertTrue(history.waitFor(60, TimeUnit.SECONDS));
        assertTrue(historyOut.toString().contains("\"direction\":\"incoming\",\"outcome\":\"answered\""), historyOut.toString());
    }

    /**
     * The answering CLI is killed (SIGKILL) in the middle of a call; {@code calls rejoin CALL_ID}
     * from a new process brings the device back into the same call: the direct path is set up
     * again and what it records is the caller's audio from where the call is now.
     */
    @Test
    void aKilledClientRejoinsWithCallsRejoin(@TempDir Path dir) throws Exception {
        Path passphrase = Files.writeString(dir.resolve("passphrase"), new String(TestClients.PASSPHRASE) + "\n");
        try (SecureCommClient callee = TestClients.register(dir.resolve("callee"), "clirejoinee")) {
            callee.drain();
        }
        Path melody = Melody.write(dir.resolve("melody.wav"), 17, 40);
        List<String> common = List.of("--profile", dir.resolve("callee").toString(), "--passphrase-file", passphrase.toString(),
                "--ice-hosts", "loopback", "--json");
        Process answer = launcher(dir, concat(List.of("answer", "--wait", "60"), common));
        StringBuffer answerOut = follow(answer);
        TestClients.await("the answering CLI listens", Duration.ofSeconds(60), () -> answerOut.toString().contains("\"waiting\""));
        try (SecureCommClient caller = TestClients.register(dir.resolve("caller"), "clirejoiner")) {
            CallProbe probe = new CallProbe(caller);
            String callId = probe.calls().place(List.of("clirejoinee@" + TestRelays.DOMAIN), CallOptions.defaults().withIceLoopback(true)
                    .withAudio(() -> open(melody)));
            TestClients.await("the call's direct path", Duration.ofSeconds(60), () -> answerOut.toString().contains("ice direct"));
            answer.destroyForcibly(); // SIGKILL: no hang-up, no goodbye
            assertTrue(answer.waitFor(30, TimeUnit.SECONDS));

            Path recorded = dir.resolve("after-rejoin");
            Process rejoin = launcher(dir, concat(List.of("calls", "rejoin", callId, "--record", recorded.toString(), "--duration", "5"),
                    common));
            StringBuffer rejoinOut = follow(rejoin);
            assertTrue(rejoin.waitFor(120, TimeUnit.SECONDS), "calls rejoin ended");
            assertEquals(0, rejoin.exitValue(), rejoinOut.toString());
            assertTrue(rejoinOut.toString().contains("ice direct host"), "the direct path again:\n" + rejoinOut);
            probe.await(CallUpdate.Ended.class, e -> e.callId().equals(callId), Duration.ofSeconds(30));

            Path wav;
            try (Stream<Path> files = Files.list(recorded)) {
                wav = files.filter(f -> f.toString().endsWith(".wav")).findFirst().orElseThrow();
            }
            short[] heard = Recordings.readAll(wav);
            int start = 0;
            while (start < heard.length && heard[start] == 0) {
                start++; // aligned to the caller's sequence numbers: silence stands for what was said before the rejoin
            }
            assertTrue(heard.length - start > CallAudio.SAMPLE_RATE * 2, "seconds heard after the rejoin: " + (heard.length - start));
            short[] reference = Recordings.readAll(open(melody));
            int end = Math.min(heard.length, reference.length);
            AudioCorrelation.Match match = AudioCorrelation.best(Arrays.copyOfRange(reference, start, end),
                    Arrays.copyOfRange(heard, start, end), 10 * CallAudio.FRAME_SAMPLES);
            assertTrue(match.coefficient() > 0.6, "after the rejoin the recording matches the caller's audio: " + match);
        }
    }

    private static WavFileSource open(Path wav) {
        try {
            return new WavFileSource(wav);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Process launcher(Path home, List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("bin/securecomm").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("HOME", home.toString());
        return builder.start();
    }

    private static StringBuffer follow(Process process) {
        StringBuffer screen = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    screen.append(line).append('\n');
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return screen;
    }
}
