package org.securecomm.relay.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.ApiException;

/** SmtpCodeSender against a minimal SMTP server on loopback that records what it receives. */
class SmtpCodeSenderTest {

    private final List<String> recipients = new CopyOnWriteArrayList<>();
    private final StringBuffer data = new StringBuffer();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private ServerSocket server;

    @BeforeEach
    void startServer() throws Exception {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        executor.submit(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    converse(socket);
                } catch (Exception closed) {
                    return;
                }
            }
        });
    }

    private void converse(Socket socket) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        PrintWriter out = new PrintWriter(socket.getOutputStream(), true);
        out.print("220 test SMTP\r\n");
        out.flush();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String command = line.toUpperCase();
            if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                out.print("250 test\r\n");
            } else if (command.startsWith("RCPT TO:")) {
                recipients.add(line.substring(8).replaceAll("[<>\\s]", ""));
                out.print("250 ok\r\n");
            } else if (command.equals("DATA")) {
                out.print("354 go\r\n");
                out.flush();
                for (String body = in.readLine(); body != null && !body.equals("."); body = in.readLine()) {
                    data.append(body).append('\n');
                }
                out.print("250 queued\r\n");
            } else if (command.equals("QUIT")) {
                out.print("221 bye\r\n");
                out.flush();
                return;
            } else {
                out.print("250 ok\r\n");
            }
            out.flush();
        }
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
        executor.shutdownNow();
    }

    private SmtpCodeSender sender(String smsGateway) {
        return new SmtpCodeSender(new SmtpCodeSender.Settings("127.0.0.1", server.getLocalPort(), "", "", "relay@chat.example",
                false, "Your code", smsGateway, Duration.ofSeconds(5)), executor);
    }

    @Test
    void mailsTheCodeToEmailAddresses() {
        sender("").send("kim@example.org", "482913").toCompletableFuture().join();
        assertEquals(List.of("kim@example.org"), recipients);
        assertTrue(data.toString().contains("482913"), data.toString());
        assertTrue(data.toString().contains("Subject: Your code"), data.toString());
    }

    @Test
    void phoneNumbersGoThroughTheSmsGatewayOrAreRefused() {
        sender("sms.example").send("+15550001234", "111222").toCompletableFuture().join();
        assertEquals(List.of("15550001234@sms.example"), recipients);
        ApiException refused = assertThrows(ApiException.class, () -> sender("").send("+15550001234", "111222"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refused.code());
    }

    @Test
    void anUnreachableServerIsReportedWithoutTheIdentifier() throws Exception {
        int port = server.getLocalPort();
        server.close();
        SmtpCodeSender unreachable = new SmtpCodeSender(new SmtpCodeSender.Settings("127.0.0.1", port, "", "", "relay@chat.example",
                false, "Your code", "", Duration.ofSeconds(2)), executor);
        var failure = assertThrows(java.util.concurrent.CompletionException.class,
                () -> unreachable.send("lee@example.org", "123123").toCompletableFuture().join());
        ApiException cause = (ApiException) failure.getCause();
        assertEquals(ErrorCode.UNAVAILABLE, cause.code());
        assertTrue(!cause.getMessage().contains("lee@example.org") && !cause.getMessage().contains("123123"), cause.getMessage());
    }
}
