package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.relay.support.ConsoleCodes;
import org.securecomm.relay.support.TestDevice;

/**
 * The dev default as a developer meets it: codes on the console, and a second start on the same
 * data directory finds accounts, credentials and queued envelopes as they were.
 */
class DevModeTest {

    @Test
    void secondStartOnTheSameDataDirectoryFindsEverything(@TempDir Path dataDir) throws Exception {
        byte[] content = TestDevice.randomBytes(300);
        TestDevice lena;
        TestDevice mark;
        try (ConsoleCodes console = new ConsoleCodes()) {
            try (DevMode.Running dev = DevMode.start(dataDir, 0)) {
                String url = dev.node().clientUrl();
                assertTrue(url.startsWith("ws://127.0.0.1:") && url.endsWith("/v1/websocket"), url);
                lena = TestDevice.register(url, console, "lena@example.org", "lena");
                mark = TestDevice.register(url, console, "+4915112345678", "mark");
                assertTrue(console.output().contains("verification code for +4915112345678: "), "codes are printed on the console");
                mark.disconnect();
                lena.send(mark.address, List.of(1), content);
                lena.close();
            }
            Path key = dataDir.resolve("identifier-hmac.key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

            try (DevMode.Running again = DevMode.start(dataDir, 0)) {
                mark.connect(again.node().clientUrl());
                assertArrayEquals(content, mark.nextEnvelope(Duration.ofSeconds(20)).getContent().toByteArray());
                // Credentials issued before the restart still authenticate.
                assertEquals(lena.address, lena.connect(again.node().clientUrl()).getAddress());
                mark.close();
                lena.close();
            }
        }
    }
}
