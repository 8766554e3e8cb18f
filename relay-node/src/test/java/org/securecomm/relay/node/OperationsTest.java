package org.securecomm.relay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.Ping;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** What operators rely on: metrics, probes, TLS from PEM files, the loopback rule, graceful shutdown. */
class OperationsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void exposesMetricsAndProbesAndDrainsConnectionsOnShutdown() throws Exception {
        CapturingCodeSender codes = new CapturingCodeSender();
        RelayNode node = TestRelays.start(SharedCassandra.get(), codes);
        String base = "http://127.0.0.1:" + node.port();
        String suffix = Long.toString(System.nanoTime(), 36);
        TestDevice jane = TestDevice.register(node.clientUrl(), codes, "jane-" + suffix + "@example.org", "jane" + suffix);

        assertEquals(200, get(base + "/health/alive").statusCode());
        assertEquals(200, get(base + "/health/ready").statusCode());
        String metrics = get(base + "/metrics").body();
        assertTrue(metrics.contains("securecomm_websocket_authenticated_connections 1.0"), metrics);
        assertTrue(metrics.contains("securecomm_requests_seconds_count{outcome=\"OK\",type=\"register\"}"), metrics);
        assertTrue(metrics.contains("jvm_memory_used_bytes"), metrics);
        assertEquals(404, get(base + "/nothing-here").statusCode());
        assertEquals(1, node.openConnections());

        node.close();
        Push closing = null;
        for (Push push = jane.nextPush(Duration.ofSeconds(10)); push != null; push = jane.nextPush(Duration.ofSeconds(2))) {
            if (push.hasClosing()) {
                closing = push;
                break;
            }
        }
        assertTrue(closing != null, "the client was told the relay is going away");
        assertTrue(jane.connection().closed().get(10, java.util.concurrent.TimeUnit.SECONDS) != null);
    }

    @Test
    void servesWebSocketsOverTlsFromPemFiles(@TempDir Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(3600)), name, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        Path chain = dir.resolve("chain.pem");
        Path key = dir.resolve("key.pem");
        writePem(chain, certificate);
        writePem(key, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null)); // PKCS#8, as ACME clients write it

        try (RelayNode node = TestRelays.start(SharedCassandra.get(), TestRelays.newIdentifierKey(), new CapturingCodeSender(), Map.of(
                "securecomm.http.tls.certificate-chain", chain.toString(),
                "securecomm.http.tls.private-key", key.toString()))) {
            assertTrue(node.clientUrl().startsWith("wss://"), node.clientUrl());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("relay", certificate);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers.getTrustManagers(), null);
            try (RelayConnection connection = RelayConnection.connect(URI.create(node.clientUrl()), tls, push -> { }, Duration.ofSeconds(10))) {
                assertTrue(connection.call(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance())).join().hasPong());
            }
        }
    }

    @Test
    void refusesPlainHttpOffLoopback() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestRelays.start(SharedCassandra.get(),
                TestRelays.newIdentifierKey(), new CapturingCodeSender(), Map.of("securecomm.http.interface", "0.0.0.0")));
        assertTrue(refused.getMessage().contains("loopback"), refused.getMessage());
    }

    @Test
    void refusesToStartWithoutAnIdentifierKey() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RelaySettings.from(
                TestRelays.config(SharedCassandra.get(), "", Map.of())));
        assertTrue(refused.getMessage().contains("hmac-key"), refused.getMessage());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
            writer.writeObject(object);
        }
    }
}
