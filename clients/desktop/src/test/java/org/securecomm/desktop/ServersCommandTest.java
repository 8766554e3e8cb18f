package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.account.Credentials;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.store.ProtocolStore;
import org.signal.libsignal.protocol.IdentityKeyPair;

/** `securecomm servers`: shows and replaces a profile's relay URLs, offline; a bad URL is a clear error that changes nothing. */
class ServersCommandTest {

    private static final URI OLD = URI.create("ws://127.0.0.1:8080/v1/websocket");

    @Test
    void showsAndReplacesTheRelayList(@TempDir Path dir) throws Exception {
        Path profile = dir.resolve("profile");
        Path passphrase = dir.resolve("pass");
        Files.writeString(passphrase, "servers test\n");
        try (ProfileStore db = ProfileStore.create(profile, "servers test".toCharArray(), 1024, 1)) {
            new ProtocolStore(db, java.time.Clock.systemUTC()).setLocalIdentity(IdentityKeyPair.generate(), 7, "me@relay.test");
            new Credentials(OLD, "account", "me@relay.test", 1, "pw").save(db);
        }
        String[] common = {"--profile", profile.toString(), "--passphrase-file", passphrase.toString()};

        assertEquals(new Result(0, OLD + "\n", ""), run(concat(new String[] {"servers"}, common)));
        Result set = run(concat(new String[] {"servers", "--set", "ws://n1.test:8080/v1/websocket,ws://n2.test:8080/v1/websocket",
                "--set", "wss://lb.test/v1/websocket"}, common));
        assertEquals(new Result(0, "ws://n1.test:8080/v1/websocket\nws://n2.test:8080/v1/websocket\nwss://lb.test/v1/websocket\n", ""), set);

        Result bad = run(concat(new String[] {"servers", "--set", "http://n1.test/"}, common));
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("error: ") && bad.err().contains("http://n1.test/"), bad.err());
        Result json = run(concat(new String[] {"servers", "--json"}, common));
        assertEquals(0, json.code());
        assertTrue(json.out().contains("ws://n1.test:8080/v1/websocket,ws://n2.test:8080/v1/websocket,wss://lb.test/v1/websocket"),
                "unchanged by the refused list: " + json.out());

        try (ProfileStore db = ProfileStore.open(profile, "servers test".toCharArray())) {
            assertEquals(List.of(URI.create("ws://n1.test:8080/v1/websocket"), URI.create("ws://n2.test:8080/v1/websocket"),
                    URI.create("wss://lb.test/v1/websocket")), Credentials.load(db).servers());
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static synchronized Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
