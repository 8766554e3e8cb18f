package org.securecomm.ops.turn;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds coturn's {@code turnserver}. coturn is a native program from the OS packages, not a Maven
 * artifact, so a fresh CI machine may lack it: as root with apt-get available it is installed from
 * Debian, otherwise the caller gets a message that says how to install it.
 */
final class TurnServerBinary {

    static final String INSTALL_HINT = "install coturn 4.6+ (Debian/Ubuntu: sudo apt-get install -y"
            + " --no-install-recommends coturn; Fedora: sudo dnf install coturn; macOS: brew install coturn)";

    private static final System.Logger LOG = System.getLogger(TurnServerBinary.class.getName());
    private static final String NAME = "turnserver";
    private static final List<Path> WELL_KNOWN = List.of(Path.of("/usr/bin", NAME), Path.of("/usr/local/bin", NAME),
            Path.of("/usr/sbin", NAME));
    private static final long APT_TIMEOUT_MINUTES = 10;
    private static final Object INSTALL_LOCK = new Object();

    private TurnServerBinary() {
    }

    /** The turnserver executable, installing coturn first when it is missing and this process may. */
    static Path locate() {
        synchronized (INSTALL_LOCK) {
            Optional<Path> found = find();
            if (found.isPresent()) {
                return found.get();
            }
            Optional<Path> aptGet = onPath("apt-get");
            if (aptGet.isEmpty() || !isRoot()) {
                throw new IllegalStateException("coturn's " + NAME + " was not found on PATH nor in " + WELL_KNOWN
                        + " and cannot be installed automatically (that needs root and apt-get): " + INSTALL_HINT);
            }
            install(aptGet.get());
            return find().orElseThrow(() -> new IllegalStateException(
                    "apt-get installed coturn but " + NAME + " is still not found: " + INSTALL_HINT));
        }
    }

    static Optional<Path> find() {
        return onPath(NAME).or(() -> WELL_KNOWN.stream().filter(Files::isExecutable).findFirst());
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isRoot() {
        try {
            return "0".equals(run(List.of("id", "-u")).output.strip());
        } catch (IOException e) {
            return false;
        }
    }

    /** apt-get install; on failure (typically stale or missing package lists) apt-get update and again. */
    private static void install(Path aptGet) {
        List<String> installCommand = List.of(aptGet.toString(), "install", "-y", "--no-install-recommends", "coturn");
        LOG.log(Level.INFO, "coturn is missing: installing it with apt-get (this takes a minute)");
        try {
            Result first = run(installCommand);
            if (first.exitCode == 0) {
                return;
            }
            LOG.log(Level.INFO, "apt-get install coturn failed ({0}); running apt-get update first", first.exitCode);
            Result update = run(List.of(aptGet.toString(), "update"));
            Result second = run(installCommand);
            if (second.exitCode != 0) {
                throw new IllegalStateException("apt-get could not install coturn (update exit " + update.exitCode
                        + ", install exit " + second.exitCode + "): " + tail(second.output) + System.lineSeparator()
                        + INSTALL_HINT);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run apt-get to install coturn: " + INSTALL_HINT, e);
        }
    }

    private static Result run(List<String> command) throws IOException {
        Path output = Files.createTempFile("securecomm-apt-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process process = builder.start();
            if (!process.waitFor(APT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish within " + APT_TIMEOUT_MINUTES + " minutes");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(command + " was interrupted", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String tail(String output) {
        List<String> lines = new ArrayList<>(output.lines().toList());
        return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private record Result(int exitCode, String output) {
    }
}
