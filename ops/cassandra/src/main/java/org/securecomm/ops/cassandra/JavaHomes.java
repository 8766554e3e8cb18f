package org.securecomm.ops.cassandra;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/** Picks the JDK that runs the child: Cassandra 5.0 supports only Java 11 and 17. */
final class JavaHomes {

    static final Path DEFAULT_JVM_ROOT = Path.of("/usr/lib/jvm");
    private static final String PREFERRED = "java-17-openjdk-amd64";

    private JavaHomes() {
    }

    /** Selection for this JVM: explicit home, else the running one if 11/17, else an installed 17. */
    static Path select(Optional<Path> explicit) {
        return select(explicit, Path.of(System.getProperty("java.home")),
                Runtime.version().feature(), DEFAULT_JVM_ROOT);
    }

    static Path select(Optional<Path> explicit, Path runningHome, int runningFeature, Path jvmRoot) {
        if (explicit.isPresent()) {
            Path home = explicit.get().toAbsolutePath();
            requireJava(home);
            OptionalInt feature = releaseFeature(home);
            if (feature.isPresent() && !isSupported(feature.getAsInt())) {
                throw new IllegalStateException("javaHome " + home + " is Java " + feature.getAsInt()
                        + "; Cassandra 5.0 runs only on Java 11 or 17");
            }
            return home;
        }
        if (isSupported(runningFeature)) {
            return runningHome;
        }
        for (Path candidate : java17Candidates(jvmRoot)) {
            if (Files.isExecutable(javaExecutable(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("This JVM is Java " + runningFeature
                + " and no Java 17 was found under " + jvmRoot + "/java-17*: Cassandra 5.0 runs only on"
                + " Java 11 or 17 (it fails on 21+). Install openjdk-17 or set Options.withJavaHome(...)");
    }

    static Path javaExecutable(Path javaHome) {
        return javaHome.resolve("bin").resolve("java");
    }

    private static boolean isSupported(int feature) {
        return feature == 11 || feature == 17;
    }

    private static void requireJava(Path home) {
        if (!Files.isExecutable(javaExecutable(home))) {
            throw new IllegalStateException("javaHome " + home + " has no executable bin/java");
        }
    }

    /** The preferred Debian name first, then any other java-17* directory in name order. */
    private static List<Path> java17Candidates(Path jvmRoot) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(jvmRoot.resolve(PREFERRED));
        if (Files.isDirectory(jvmRoot)) {
            List<Path> others = new ArrayList<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvmRoot, "java-17*")) {
                dirs.forEach(others::add);
            } catch (IOException e) {
                // An unreadable root just means no further candidates.
            }
            others.sort(null);
            others.stream().filter(p -> !candidates.contains(p)).forEach(candidates::add);
        }
        return candidates;
    }

    /** Major version from the JDK's {@code release} file, when it has one. */
    static OptionalInt releaseFeature(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return OptionalInt.empty();
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(release)) {
            props.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            return OptionalInt.empty();
        }
        String version = props.getProperty("JAVA_VERSION", "").replace("\"", "").trim();
        String major = version.startsWith("1.") ? version.substring(2) : version;
        int end = 0;
        while (end < major.length() && Character.isDigit(major.charAt(end))) {
            end++;
        }
        return end == 0 ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(major.substring(0, end)));
    }
}
