package org.securecomm.ops.turn;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds coturn's {@code turnserver}, installing coturn from Debian's packages when it is missing
 * and this process may (see {@link NativePackage}).
 */
final class TurnServerBinary {

    static final String INSTALL_HINT = "install coturn 4.6+ (Debian/Ubuntu: sudo apt-get install -y"
            + " --no-install-recommends coturn; Fedora: sudo dnf install coturn; macOS: brew install coturn)";

    private static final String NAME = "turnserver";
    private static final NativePackage COTURN = new NativePackage(NAME, List.of(Path.of("/usr/bin", NAME),
            Path.of("/usr/local/bin", NAME), Path.of("/usr/sbin", NAME)), "coturn", INSTALL_HINT);

    private TurnServerBinary() {
    }

    /** The turnserver executable, installing coturn first when it is missing and this process may. */
    static Path locate() {
        return COTURN.locate();
    }

    static Optional<Path> find() {
        return COTURN.find();
    }
}
