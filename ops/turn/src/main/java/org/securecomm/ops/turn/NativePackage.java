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
 * A native program from the OS packages (coturn here, ejabberd for the benchmark), not a Maven
 * artifact: a fresh CI machine may lack it, so as root with apt-get available it is installed from
 * Debian, otherwise the caller gets a message that says how to install it. It lives in this
 * dependency-free module because coturn was its first user; the benchmark reuses it.
 */
public final class NativePackage {

    private static final System.Logger LOG = System.getLogger(NativePackage.class.getName());
    private static final long APT_TIMEOUT_MINUTES = 10;
    private static final Object INSTALL_LOCK = new Object();

    private final String program;
    private final List<Path> wellKnown;
    private final String aptPackage;
    private final String installHint;

    /**
     * @param program     the executable that shows the package is installed
     * @param wellKnown   where to look besides PATH (sbin directories are often not on a user's PATH)
     * @param aptPackage  the Debian package that provides it
     * @param installHint how a person installs it, for the error message
     */
    public NativePackage(String program, List<Path> wellKnown, String aptPackage, String installHint) {
        this.program = program;
        this.wellKnown = List.copyOf(wellKnown);
        this.aptPackage = aptPackage;
        this.installHint = installHint;
    }

    /** The executable, installing the package first when it is missing and this process may. */
    public Path locate() {
        synchronized (INSTALL_LOCK) {
            Optional<Path> found = find();
            if (found.isPresent()) {
                return found.get();
            }
            Optional<Path> aptGet = onPath("apt-get");
            if (aptGet.isEmpty() || !isRoot()) {
                throw new IllegalStateException(aptPackage + "'s " + program + " was not found on PATH nor in " + wellKnown
                        + " and cannot be installed automatically (that needs root and apt-get): " + installHint);
            }
            install(aptGet.get());
            return find().orElseThrow(() -> new IllegalStateException(
                    "apt-get installed " + aptPackage + " but " + program + " is still not found: " + installHint));
        }
    }

    /** The executable if it is installed (no attempt to install it). */
    public Optional<Path> find() {
        return onPath(program).or(() -> wellKnown.stream().filter(Files::isExecutable).findFirst());
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
    private void install(Path aptGet) {
        List<String> installCommand = List.of(aptGet.toString(), "install", "-y", "--no-install-recommends", aptPackage);
        LOG.log(Level.INFO, "{0} is missing: installing it with apt-get (this takes a minute)", aptPackage);
        try {
            Result first = run(installCommand);
            if (first.exitCode == 0) {
                return;
            }
            LOG.log(Level.INFO, "apt-get install {0} failed ({1}); running apt-get update first", aptPackage, first.exitCode);
            Result update = run(List.of(aptGet.toString(), "update"));
            Result second = run(installCommand);
            if (second.exitCode != 0) {
                throw new IllegalStateException("apt-get could not install " + aptPackage + " (update exit " + update.exitCode
                        + ", install exit " + second.exitCode + "): " + tail(second.output) + System.lineSeparator()
                        + installHint);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run apt-get to install " + aptPackage + ": " + installHint, e);
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
