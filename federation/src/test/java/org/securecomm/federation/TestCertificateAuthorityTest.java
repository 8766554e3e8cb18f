package org.securecomm.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecomm.federation.testing.TestCertificateAuthority;
import org.securecomm.federation.testing.TestHttpsServer;

class TestCertificateAuthorityTest {

    @TempDir
    Path directory;

    @Test
    void writesTheFilesARelayLoads() throws Exception {
        TestCertificateAuthority ca = TestCertificateAuthority.create();
        TestCertificateAuthority.PemFiles files = ca.issue("b.test", "127.0.0.1").write(directory, "b");
        List<? extends Certificate> chain;
        try (InputStream in = Files.newInputStream(files.certificateChain())) {
            chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
        assertEquals(2, chain.size(), "leaf then CA");
        X509Certificate leaf = (X509Certificate) chain.get(0);
        leaf.verify(ca.certificate().getPublicKey());
        Set<String> names = leaf.getSubjectAlternativeNames().stream().map(name -> name.get(1).toString()).collect(Collectors.toSet());
        assertEquals(Set.of("b.test", "127.0.0.1"), names);

        String keyPem = Files.readString(files.privateKey(), StandardCharsets.US_ASCII);
        assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----\n"), "unencrypted PKCS#8");
        String base64 = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    @Test
    void clientsTrustingTheCaPemReachTheLeaf() throws Exception {
        TestCertificateAuthority ca = TestCertificateAuthority.create();
        Path caPem = ca.writeCaPem(directory.resolve("ca.pem"));
        try (TestHttpsServer server = new TestHttpsServer(ca.issue("b.test", "127.0.0.1"))
                .handle("/", exchange -> TestHttpsServer.respond(exchange, 200, "text/plain", "hi".getBytes(StandardCharsets.US_ASCII)))) {
            HttpClient client = Tls.httpClient(Tls.trusting(caPem), Duration.ofSeconds(5)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("hi", response.body());

            Path otherPem = TestCertificateAuthority.create("Other").writeCaPem(directory.resolve("other.pem"));
            HttpClient stranger = Tls.httpClient(Tls.trusting(otherPem), Duration.ofSeconds(5)).build();
            assertThrows(javax.net.ssl.SSLHandshakeException.class,
                    () -> stranger.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/x")).build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void anEmptyPemIsRefused() throws Exception {
        Path empty = Files.writeString(directory.resolve("empty.pem"), "");
        assertThrows(IllegalArgumentException.class, () -> Tls.trusting(empty));
    }
}
