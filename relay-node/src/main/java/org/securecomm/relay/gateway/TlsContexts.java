package org.securecomm.relay.gateway;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Builds a server TLS context from the PEM files operators get from their CA (or ACME). */
public final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * @param certificateChain PEM certificates, leaf first
     * @param privateKey       PEM private key: PKCS#8, or PKCS#1 RSA / SEC1 EC key pair (unencrypted)
     */
    public static SSLContext fromPem(Path certificateChain, Path privateKey) {
        try {
            Collection<? extends Certificate> chain;
            try (var in = Files.newInputStream(certificateChain)) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + certificateChain);
            }
            PrivateKey key = readPrivateKey(privateKey);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("relay", key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load TLS certificate " + certificateChain + " and key " + privateKey + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            PrivateKeyInfo info;
            if (object instanceof PEMKeyPair pair) {
                info = pair.getPrivateKeyInfo();
            } else if (object instanceof PrivateKeyInfo plain) {
                info = plain;
            } else {
                throw new IllegalArgumentException("no unencrypted private key in " + file);
            }
            // BouncyCastle reads every PEM flavour (SEC1 EC keys carry their curve in a place the
            // JDK does not look); its PKCS#8 encoding is then loaded as a JDK key for JSSE.
            PrivateKey parsed = new JcaPEMKeyConverter().setProvider(new BouncyCastleProvider()).getPrivateKey(info);
            String algorithm = "ECDSA".equals(parsed.getAlgorithm()) ? "EC" : parsed.getAlgorithm();
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(parsed.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException("unsupported private key: " + e.getMessage(), e);
        }
    }
}
