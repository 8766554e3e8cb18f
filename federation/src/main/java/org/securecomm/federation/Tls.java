package org.securecomm.federation;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS set-up for federation clients. Public peers are verified against the JDK's CA store
 * ({@code SSLContext.getDefault()}); private federations and tests trust their own CA through a PEM
 * file. Host names are always verified by {@link HttpClient}.
 */
public final class Tls {

    private Tls() {
    }

    /** A context trusting exactly the CA certificates in a PEM file (one or more). */
    public static SSLContext trusting(Path caCertificatesPem) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caCertificatesPem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load CA certificates " + caCertificatesPem + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + caCertificatesPem);
        }
        return trusting(certificates);
    }

    /** A context trusting exactly these CA certificates. */
    public static SSLContext trusting(Collection<? extends Certificate> caCertificates) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : caCertificates) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * An HTTP client for federation: the given trust, a connect timeout, no redirects (a peer's
     * endpoint and well-known document are where it says they are).
     */
    public static HttpClient.Builder httpClient(SSLContext context, Duration connectTimeout) {
        return HttpClient.newBuilder()
                .sslContext(context)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
    }
}
