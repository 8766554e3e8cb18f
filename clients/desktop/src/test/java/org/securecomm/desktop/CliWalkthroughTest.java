package org.securecomm.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.desktop.support.TestClients;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.RequestVerificationCode;

/**
 * The README's walk-through as a user runs it: the real {@code bin/securecomm-relay dev}
 * and the real {@code bin/securecomm} launcher as subprocesses. Every command below is checked to
 * appear verbatim in the README, then run with this test's home directory and port.
 */
class CliWalkthroughTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().resolve("../..").normalize();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Path home;
    private int port;
    private final StringBuffer relayConsole = new StringBuffer();

    @Test
    void theReadmeWalkthroughWorks(@TempDir Path dir) throws Exception {
        home = dir;
        port = freePort();
        String doc = Files.readString(ROOT.resolve("README.md"));
        Process relay = new ProcessBuilder(ROOT.resolve("bin/securecomm-relay").toString(), "dev", "--data-dir",
                dir.resolve("relay").toString(), "--port", Integer.toString(port))
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        try {
            follow(relay, relayConsole);
            TestClients.await("the dev relay", Duration.ofSeconds(150), () -> relayConsole.toString().contains("dev relay ready"));
            warmUp();

            // 3. register (the code is read from the relay's console and typed on standard input)
            for (String name : List.of("alice", "bob")) {
                Process register = start(doc, "bin/securecomm register --profile ~/securecomm-" + name
                        + " --server ws://127.0.0.1:8080/v1/websocket --username " + name + " --email " + name + "@example.org");
                String code = awaitCode(name + "@example.org");
                try (Writer stdin = new OutputStreamWriter(register.getOutputStream(), StandardCharsets.UTF_8)) {
                    stdin.write(code + "\n");
                }
                assertEquals("registered " + name + "@localhost (device 1)", finish(register).strip());
            }

            // 4. add each other (Bob finds Alice by her email, through hashed discovery)
            assertEquals("added bob@localhost", run(doc, "bin/securecomm contacts add --profile ~/securecomm-alice bob@localhost --name Bob"));
            assertEquals("added alice@localhost",
                    run(doc, "bin/securecomm contacts add --profile ~/securecomm-bob alice@example.org --name Alice"));

            // 5. safety numbers: each side verifies with the number the other side shows
            String aliceSees = run(doc, "bin/securecomm safety-number --profile ~/securecomm-alice bob@localhost").lines().findFirst().orElseThrow();
            String bobSees = run(doc, "bin/securecomm safety-number --profile ~/securecomm-bob alice@localhost").lines().findFirst().orElseThrow();
            assertEquals(aliceSees, bobSees);
            assertTrue(aliceSees.matches("(\\d{5} ){11}\\d{5}"), aliceSees);
            assertEquals("verified bob@localhost",
                    run(doc, "bin/securecomm verify --profile ~/securecomm-alice bob@localhost \"NUMBER\"", bobSees));
            assertEquals("verified alice@localhost",
                    run(doc, "bin/securecomm verify --profile ~/securecomm-bob alice@localhost \"NUMBER\"", aliceSees));

            // 6. chat, both ways, live
            Process aliceChat = start(doc, "bin/securecomm chat --profile ~/securecomm-alice bob@localhost");
            Process bobChat = start(doc, "bin/securecomm chat --profile ~/securecomm-bob alice@localhost");
            StringBuffer aliceScreen = new StringBuffer();
            StringBuffer bobScreen = new StringBuffer();
            follow(aliceChat, aliceScreen);
            follow(bobChat, bobScreen);
            Writer aliceTypes = new OutputStreamWriter(aliceChat.getOutputStream(), StandardCharsets.UTF_8);
            Writer bobTypes = new OutputStreamWriter(bobChat.getOutputStream(), StandardCharsets.UTF_8);
            TestClients.await("both chats", WAIT, () -> aliceScreen.toString().contains("chatting with")
                    && bobScreen.toString().contains("chatting with"));
            aliceTypes.write("hi bob\n");
            aliceTypes.flush();
            TestClients.await("bob sees alice", WAIT, () -> bobScreen.toString().contains("from alice@localhost: hi bob"));
            bobTypes.write("hi alice, all verified here\n");
            bobTypes.flush();
            TestClients.await("alice sees bob", WAIT, () -> aliceScreen.toString().contains("from bob@localhost: hi alice, all verified here"));
            aliceTypes.close();
            bobTypes.close();
            assertTrue(aliceChat.waitFor(30, TimeUnit.SECONDS) && aliceChat.exitValue() == 0, aliceScreen.toString());
            assertTrue(bobChat.waitFor(30, TimeUnit.SECONDS) && bobChat.exitValue() == 0, bobScreen.toString());

            // 7. scripting
            run(doc, "bin/securecomm send --profile ~/securecomm-alice bob@localhost \"see you at noon\"");
            String json = run(doc, "bin/securecomm receive --profile ~/securecomm-bob --json --wait 2");
            assertTrue(json.matches("(?s)\\{\"id\":\"[0-9a-f]{32}\",\"from\":\"alice@localhost\",\"conversation\":\"alice@localhost\","
                    + "\"text\":\"see you at noon\",\"sent_at\":\\d+,\"device\":1}\\s*"), json);

            // errors: one line on standard error, non-zero exit
            Process bad = launcher(List.of("send", "--profile", home.resolve("securecomm-alice").toString(), "nobody@localhost", "x"));
            assertEquals(1, bad.waitFor());
            String error = new String(bad.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(error.startsWith("error: ") && !error.contains("\n"), error);
        } finally {
            relay.destroy();
            if (!relay.waitFor(60, TimeUnit.SECONDS)) {
                relay.destroyForcibly();
            }
        }
    }

    /** The first writes of a fresh dev node can exceed the relay's ask timeout: wait until it answers in time. */
    private void warmUp() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (int attempt = 0; ; attempt++) {
            try (RelayConnection connection = RelayConnection.connect(URI.create("ws://127.0.0.1:" + port + "/v1/websocket"), push -> { })) {
                connection.call(ClientMessage.newBuilder().setRequestVerificationCode(RequestVerificationCode.newBuilder()
                        .setIdentifier("warm-up-" + attempt + "@example.org"))).join();
                return;
            } catch (RuntimeException e) {
                assertTrue(System.nanoTime() < deadline, "the dev relay never answered in time: " + e);
                Thread.sleep(500);
            }
        }
    }

    private String awaitCode(String identifier) throws InterruptedException {
        Pattern line = Pattern.compile("verification code for " + Pattern.quote(identifier) + ": (\\d+)");
        String[] code = new String[1];
        TestClients.await("a code for " + identifier, WAIT, () -> {
            Matcher matcher = line.matcher(relayConsole.toString());
            boolean found = matcher.find();
            code[0] = found ? matcher.group(1) : null;
            return found;
        });
        return code[0];
    }

    /** Runs a documented command to completion; answers its standard output. */
    private String run(String doc, String command, String... number) throws Exception {
        return finish(start(doc, command, number)).strip();
    }

    private Process start(String doc, String command, String... number) throws IOException {
        assertTrue(doc.contains(command), "the README shows: " + command);
        List<String> args = new ArrayList<>();
        Matcher tokens = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(command);
        while (tokens.find()) {
            String token = tokens.group(1) != null ? tokens.group(1) : tokens.group(2);
            token = token.replace("~/", home + "/").replace(":8080/", ":" + port + "/");
            args.add(token.equals("NUMBER") ? number[0] : token);
        }
        assertEquals("bin/securecomm", args.get(0));
        // interactive commands: the user sees standard error (prompts, status) on the same screen
        return launcher(args.subList(1, args.size()), args.get(1).equals("chat"));
    }

    private Process launcher(List<String> args) throws IOException {
        return launcher(args, false);
    }

    private Process launcher(List<String> args, boolean oneScreen) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("bin/securecomm").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(oneScreen);
        builder.environment().put("SECURECOMM_PASSPHRASE", "a long passphrase of your own");
        builder.environment().put("HOME", home.toString());
        return builder.start();
    }

    private static String finish(Process process) throws Exception {
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the command ended");
        assertEquals(0, process.exitValue(), "exit code; stderr: " + err);
        return out;
    }

    private static void follow(Process process, StringBuffer screen) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    screen.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "follow-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
