package org.securecomm.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A scenario of the realistic mix, read from a HOCON file (ops/bench/scenarios/default.conf documents
 * every key and supplies the ones a file leaves out) with {@code --set key=value} overrides on top.
 * Every value is checked here, so a bad one fails before a node is started, naming the key.
 */
record MixSettings(String source, int envelopeSize, int ackBatch, int sendWindow, Duration progress, Duration drainTimeout,
                   Duration jitWarmup, int jitWarmupRate,
                   Storm storm, Duration heartbeat, Duration steadyDuration,
                   Flow messaging, Flow fanout, Optional<CallWorkload.Settings> calls,
                   Optional<SignalMessagingWorkload.Settings> signal, Sweep sweep) {

    static final String DEFAULTS = "scenarios/default.conf";

    record Storm(int devices, int devicesPerAccount, int concurrency) {
    }

    /** One messaging workload: senders to accounts of {@code devices} devices; rate in messages/s. */
    record Flow(String name, int routes, int devices, int rate, double offlineShare, Duration offlinePeriod) {
        boolean enabled() {
            return routes > 0;
        }
    }

    record Sweep(boolean enabled, int pairs, List<Integer> rates, Duration stepWarmup, Duration stepDuration,
                 Duration stopP99, double stopErrorShare, double stopAchievedShare) {
    }

    /** A bad scenario file or override; the message names the file and the key. */
    static final class InvalidScenarioException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidScenarioException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The built-in default scenario. */
    static MixSettings defaults() {
        return load(null, Map.of());
    }

    /** Reads {@code file} (null: the defaults only) with {@code overrides} (key to HOCON value) on top. */
    static MixSettings load(Path file, Map<String, String> overrides) {
        String source = (file == null ? "the default scenario" : "scenario file " + file) + (overrides.isEmpty() ? "" : " with --set overrides");
        Config defaults = ConfigFactory.parseResources(MixSettings.class.getClassLoader(), DEFAULTS,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config config = ConfigFactory.empty();
        try {
            if (file != null) {
                if (!Files.isRegularFile(file)) {
                    throw new InvalidScenarioException("scenario file " + file + " does not exist (or is not a file)", null);
                }
                config = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            }
        } catch (ConfigException e) {
            throw new InvalidScenarioException(source + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            try {
                config = ConfigFactory.parseString(override.getKey() + " = " + override.getValue()).withFallback(config);
            } catch (ConfigException e) {
                throw new InvalidScenarioException("--set " + override.getKey() + "=" + override.getValue() + ": " + e.getMessage(), e);
            }
        }
        rejectUnknownKeys(source, config, defaults);
        try {
            return from(source, config.withFallback(defaults).resolve(ConfigResolveOptions.defaults()));
        } catch (ConfigException e) {
            throw new InvalidScenarioException(source + ": " + e.getMessage(), e);
        }
    }

    private static void rejectUnknownKeys(String source, Config given, Config defaults) {
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : given.entrySet()) {
            String key = entry.getKey();
            if (!defaults.hasPathOrNull(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InvalidScenarioException(source + ": unknown key(s) " + String.join(", ", unknown.stream().sorted().toList())
                    + " (ops/bench/scenarios/default.conf lists every key)", null);
        }
    }

    private static MixSettings from(String source, Config c) {
        Checker check = new Checker(source, c);
        MixSettings settings = new MixSettings(source,
                check.intIn("envelope-size", Traffic.HEADER_BYTES, 64 * 1024),
                check.intIn("ack-batch", 1, org.securecomm.protocol.FrameLimits.MAX_ACKNOWLEDGED_IDS),
                check.intIn("send-window", 1, 10_000),
                check.durationAtLeast("progress", Duration.ofSeconds(1)),
                check.durationAtLeast("drain-timeout", Duration.ofSeconds(1)),
                check.durationAtLeast("jit-warmup", Duration.ZERO),
                check.intIn("jit-warmup-rate", 1, 1_000_000),
                new Storm(check.intIn("storm.devices", 0, 1_000_000), check.intIn("storm.devices-per-account", 1, 6),
                        check.intIn("storm.concurrency", 1, 10_000)),
                check.durationAtLeast("idle.heartbeat", Duration.ofMillis(100)),
                check.durationAtLeast("steady.duration", Duration.ZERO),
                flow(check, "messaging", "pairs", 1, 1),
                flow(check, "fanout", "accounts", 2, 6),
                check.bool("calls.enabled") ? Optional.of(calls(check)) : Optional.empty(),
                check.bool("signal.enabled") ? Optional.of(signal(check)) : Optional.empty(),
                sweep(check));
        return settings;
    }

    private static Flow flow(Checker check, String name, String routesKey, int minDevices, int maxDevices) {
        int devices = minDevices == maxDevices ? 1 : check.intIn(name + ".devices", minDevices, maxDevices);
        return new Flow(name, check.intIn(name + "." + routesKey, 0, 100_000), devices, check.intIn(name + ".rate", 0, 1_000_000),
                check.share(name + ".offline-share"), check.durationAtLeast(name + ".offline-period", Duration.ofSeconds(1)));
    }

    private static Sweep sweep(Checker check) {
        List<Integer> rates = check.rates("sweep.rates");
        return new Sweep(check.bool("sweep.enabled"), check.intIn("sweep.pairs", 1, 100_000), rates,
                check.durationAtLeast("sweep.step-warmup", Duration.ZERO), check.durationAtLeast("sweep.step-duration", Duration.ofSeconds(1)),
                check.durationAtLeast("sweep.stop-p99", Duration.ofMillis(1)), check.share("sweep.stop-error-share"),
                check.share("sweep.stop-achieved-share"));
    }

    /** The workloads check their own settings too (ranges that depend on the relay); their message names the section. */
    private static CallWorkload.Settings calls(Checker check) {
        return check.workload(() -> new CallWorkload.Settings(check.intIn("calls.concurrent-calls", 1, 100_000),
                check.intIn("calls.participants", 2, 16), check.positive("calls.setups-per-second"),
                check.intIn("calls.packet-rate", 1, 1_000), check.intIn("calls.payload-bytes", 1, 65_535),
                check.durationAtLeast("calls.call-length", Duration.ofMillis(100))));
    }

    private static SignalMessagingWorkload.Settings signal(Checker check) {
        return check.workload(() -> new SignalMessagingWorkload.Settings(check.intIn("signal.pairs", 1, 100_000),
                check.positive("signal.messages-per-second"), check.intIn("signal.plaintext-bytes", 1, 1 << 20)));
    }

    /** Typed reads with range checks; every failure names the source and the key. */
    private record Checker(String source, Config config) {

        int intIn(String key, int min, int max) {
            int value;
            try {
                value = config.getInt(key);
            } catch (ConfigException.WrongType e) {
                throw bad(key, "must be a whole number, not " + config.getValue(key).render(), e);
            }
            if (value < min || value > max) {
                throw bad(key, "must be " + min + " to " + max + ", not " + value, null);
            }
            return value;
        }

        double share(String key) {
            double value;
            try {
                value = config.getDouble(key);
            } catch (ConfigException.WrongType e) {
                throw bad(key, "must be a number from 0 to 1, not " + config.getValue(key).render(), e);
            }
            if (!(value >= 0 && value <= 1)) {
                throw bad(key, "must be from 0 to 1, not " + value, null);
            }
            return value;
        }

        Duration durationAtLeast(String key, Duration min) {
            Duration value;
            try {
                value = config.getDuration(key);
            } catch (ConfigException.BadValue | ConfigException.WrongType e) {
                throw bad(key, "must be a duration such as 500ms, 5s or 2m, not " + config.getValue(key).render(), e);
            }
            if (value.compareTo(min) < 0) {
                throw bad(key, "must be at least " + min.toMillis() + " ms, not " + value.toMillis() + " ms", null);
            }
            return value;
        }

        double positive(String key) {
            double value;
            try {
                value = config.getDouble(key);
            } catch (ConfigException.WrongType e) {
                throw bad(key, "must be a number, not " + config.getValue(key).render(), e);
            }
            if (!(value > 0)) {
                throw bad(key, "must be above 0, not " + value, null);
            }
            return value;
        }

        /** A workload's settings record, whose own checks throw IllegalArgumentException. */
        <T> T workload(java.util.function.Supplier<T> settings) {
            try {
                return settings.get();
            } catch (IllegalArgumentException e) {
                throw new InvalidScenarioException(source + ": " + e.getMessage(), e);
            }
        }

        boolean bool(String key) {
            try {
                return config.getBoolean(key);
            } catch (ConfigException.WrongType e) {
                throw bad(key, "must be true or false, not " + config.getValue(key).render(), e);
            }
        }

        List<Integer> rates(String key) {
            List<Integer> rates;
            try {
                rates = config.getIntList(key);
            } catch (ConfigException.WrongType e) {
                throw bad(key, "must be a list of envelope rates such as [1000, 2000, 5000], not " + config.getValue(key).render(), e);
            }
            if (rates.isEmpty()) {
                throw bad(key, "must name at least one rate", null);
            }
            for (int i = 0; i < rates.size(); i++) {
                if (rates.get(i) <= 0 || i > 0 && rates.get(i) <= rates.get(i - 1)) {
                    throw bad(key, "must be positive and increasing, not " + rates, null);
                }
            }
            return List.copyOf(rates);
        }

        private InvalidScenarioException bad(String key, String what, Throwable cause) {
            return new InvalidScenarioException(source + ": " + key + " " + what, cause);
        }
    }
}
