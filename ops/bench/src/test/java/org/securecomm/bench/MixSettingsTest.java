package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario files of the mix: defaults, the shipped files, overrides, and a clear error for every bad value. */
class MixSettingsTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path file = dir.resolve("scenario.conf");
        Files.writeString(file, text);
        return file;
    }

    private String errorOf(String text) throws IOException {
        Path file = file(text);
        return assertThrows(MixSettings.InvalidScenarioException.class, () -> MixSettings.load(file, Map.of())).getMessage();
    }

    @Test
    void theDefaultScenarioIsTheDocumentedOne() {
        MixSettings s = MixSettings.defaults();
        assertEquals(256, s.envelopeSize());
        assertEquals(Duration.ofSeconds(90), s.jitWarmup());
        assertEquals(1000, s.storm().devices());
        assertEquals(Duration.ofSeconds(5), s.heartbeat());
        assertEquals(1, s.messaging().devices());
        assertEquals(0.2, s.messaging().offlineShare());
        assertEquals(3, s.fanout().devices());
        assertTrue(s.calls().isPresent(), "the default mix has calls");
        assertTrue(s.signal().isPresent(), "and real libsignal traffic");
        assertTrue(s.sweep().enabled());
        assertEquals(List.of(1000, 2000, 4000, 5000, 6000, 8000, 10000), s.sweep().rates());
    }

    @Test
    void theShippedScenarioFilesLoad() {
        MixSettings smoke = MixSettings.load(Path.of("scenarios/smoke.conf"), Map.of());
        assertEquals(Duration.ZERO, smoke.jitWarmup());
        assertFalse(smoke.sweep().enabled());
        assertEquals(6, smoke.messaging().routes());
        assertEquals(256, smoke.envelopeSize(), "a key the file leaves out keeps its default");
        MixSettings sweep = MixSettings.load(Path.of("scenarios/sweep.conf"), Map.of());
        assertFalse(sweep.messaging().enabled());
        assertEquals(Duration.ZERO, sweep.steadyDuration());
        assertTrue(sweep.sweep().rates().contains(5000));
        MixSettings.load(Path.of("scenarios/default.conf"), Map.of());
    }

    @Test
    void overridesWinOverTheFile() throws IOException {
        Path file = file("messaging.rate = 100\nsweep.rates = [1, 2]");
        MixSettings s = MixSettings.load(file, Map.of("messaging.rate", "5000", "sweep.rates", "[2000, 5000]", "steady.duration", "30s"));
        assertEquals(5000, s.messaging().rate());
        assertEquals(List.of(2000, 5000), s.sweep().rates());
        assertEquals(Duration.ofSeconds(30), s.steadyDuration());
    }

    @Test
    void badValuesNameTheKeyAndWhatIsWrong() throws IOException {
        assertTrue(errorOf("messaging.rate = -5").contains("messaging.rate must be 0 to"), "negative rate");
        assertTrue(errorOf("messaging.rate = fast").contains("messaging.rate must be a whole number"));
        assertTrue(errorOf("fanout.offline-share = 1.5").contains("fanout.offline-share must be from 0 to 1"));
        assertTrue(errorOf("idle.heartbeat = often").contains("idle.heartbeat must be a duration"));
        assertTrue(errorOf("idle.heartbeat = 10ms").contains("idle.heartbeat must be at least 100 ms"));
        assertTrue(errorOf("fanout.devices = 7").contains("fanout.devices must be 2 to 6"));
        assertTrue(errorOf("storm.devices-per-account = 0").contains("storm.devices-per-account must be 1 to 6"));
        assertTrue(errorOf("envelope-size = 16").contains("envelope-size must be 32 to"));
        assertTrue(errorOf("sweep.rates = [5000, 1000]").contains("sweep.rates must be positive and increasing"));
        assertTrue(errorOf("sweep.rates = []").contains("sweep.rates must name at least one rate"));
        assertTrue(errorOf("sweep.enabled = maybe").contains("sweep.enabled must be true or false"));
        String unknown = errorOf("mesaging.rate = 10\nsweep.step = 5s");
        assertTrue(unknown.contains("unknown key(s) mesaging.rate, sweep.step"), unknown);
        assertTrue(unknown.contains("scenario file " + dir.resolve("scenario.conf")), unknown);
        assertTrue(errorOf("messaging { rate = ").contains("scenario file"), "a syntax error names the file");
    }

    @Test
    void overridesAndMissingFilesFailClearly() {
        String bad = assertThrows(MixSettings.InvalidScenarioException.class,
                () -> MixSettings.load(null, Map.of("messaging.rate", "-1"))).getMessage();
        assertTrue(bad.contains("messaging.rate must be 0 to"), bad);
        String missing = assertThrows(MixSettings.InvalidScenarioException.class,
                () -> MixSettings.load(dir.resolve("nope.conf"), Map.of())).getMessage();
        assertTrue(missing.contains("does not exist"), missing);
        String unknown = assertThrows(MixSettings.InvalidScenarioException.class,
                () -> MixSettings.load(null, Map.of("steady.durration", "5s"))).getMessage();
        assertTrue(unknown.contains("unknown key(s) steady.durration"), unknown);
    }

    @Test
    void callsAndSignalSectionsBecomeTheirWorkloadsSettings() throws IOException {
        MixSettings s = MixSettings.load(file("calls { participants = 4, call-length = 3s }\nsignal.pairs = 7"), Map.of());
        assertEquals(4, s.calls().orElseThrow().participants());
        assertEquals(3_000, s.calls().orElseThrow().callLength().toMillis());
        assertEquals(7, s.signal().orElseThrow().pairs());
        assertTrue(MixSettings.load(null, Map.of("calls.enabled", "false")).calls().isEmpty());
        assertTrue(errorOf("calls.participants = 40").contains("calls.participants must be 2 to 16"));
        assertTrue(errorOf("calls.payload-bytes = 3").contains("calls: payload bytes must be"), "the workload's own check, named");
        assertTrue(errorOf("signal.plaintext-bytes = 10").contains("signal: plaintext bytes must be"));
        assertTrue(errorOf("calls.rooms = 5").contains("unknown key(s) calls.rooms"));
        assertTrue(errorOf("signal.enabled = 3").contains("signal.enabled must be true or false"));
    }

    @Test
    void theWorkloadsFollowTheScenario() {
        MixSettings s = MixSettings.load(Path.of("scenarios/smoke.conf"), Map.of("fanout.accounts", "0"));
        List<String> names = MixWorkloads.of(s).stream().map(MixWorkload::name).toList();
        assertEquals(List.of("idle", "messaging"), names);
    }
}
