package org.securecomm.ops.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM's classpath: Cassandra's jars, as resolved by the build into the
 * {@value #RESOURCE} resource, plus wherever this launcher's own classes live.
 */
final class ChildClasspath {

    static final String RESOURCE = "cassandra.classpath";
    private static final String BUILD_HINT =
            "build the launcher first: ./mvnw -pl ops/cassandra -am install";

    private ChildClasspath() {
    }

    /** Verified entries; fails with the build command to run if any jar is missing. */
    static List<Path> resolve() {
        List<Path> entries = new ArrayList<>(cassandraJars(readResource()));
        entries.add(launcherLocation());
        return List.copyOf(entries);
    }

    static List<Path> cassandraJars(String resourceText) {
        List<Path> jars = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (String entry : resourceText.trim().split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path jar = Path.of(entry.trim());
            (Files.isRegularFile(jar) ? jars : missing).add(jar);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " Cassandra jar(s) listed in " + RESOURCE
                    + " are missing, e.g. " + missing.get(0) + "; " + BUILD_HINT);
        }
        if (jars.stream().noneMatch(j -> j.getFileName().toString().startsWith("cassandra-all-"))) {
            throw new IllegalStateException(RESOURCE + " does not list cassandra-all; " + BUILD_HINT);
        }
        return jars;
    }

    static String asClasspath(List<Path> entries) {
        List<String> parts = new ArrayList<>(entries.size());
        entries.forEach(p -> parts.add(p.toString()));
        return String.join(File.pathSeparator, parts);
    }

    private static String readResource() {
        try (InputStream in = ChildClasspath.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource org/securecomm/ops/cassandra/" + RESOURCE
                        + " not found on the classpath; " + BUILD_HINT);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The jar or classes directory holding {@link CassandraChildMain}. */
    private static Path launcherLocation() {
        CodeSource source = CassandraChildMain.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot locate the launcher's own classes (no CodeSource)");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("launcher classes at " + source.getLocation()
                    + " are not a local file; the child JVM needs them on disk", e);
        }
    }
}
