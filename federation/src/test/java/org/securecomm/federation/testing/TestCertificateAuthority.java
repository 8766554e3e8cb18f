package org.securecomm.federation.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.securecomm.federation.Tls;

/**
 * A throw-away certificate authority for tests that need real TLS: it issues leaf certificates
 * with DNS and IP subject alternative names (e.g. {@code "b.test"} and {@code "127.0.0.1"}) and
 * writes them as the PEM files operators deploy: the certificate chain (leaf first), the
 * unencrypted PKCS#8 private key, and the CA certificate that clients trust. EC P-256 keys keep
 * generation fast.
 *
 * <p>Usable from other modules' tests through this module's test-jar.
 */
public final class TestCertificateAuthority {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static final Pattern IP = Pattern.compile("[0-9.]+|.*:.*");

    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCertificateAuthority(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new CA valid from a day ago for a year. */
    public static TestCertificateAuthority create(String commonName) {
        try {
            KeyPair keys = newKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            X509v3CertificateBuilder builder = builder(name, name, keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCertificateAuthority(keys, sign(builder, keys.getPrivate()));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestCertificateAuthority create() {
        return create("SecureComm Test CA");
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * A server (and client) certificate for the given names: IP literals become IP SANs, the rest
     * DNS SANs; the first name is also the common name.
     */
    public Leaf issue(String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("a leaf needs at least one name");
        }
        try {
            KeyPair leafKeys = newKeyPair();
            X509v3CertificateBuilder builder = builder(new X500Name(certificate.getSubjectX500Principal().getName()),
                    new X500Name("CN=" + names[0]), leafKeys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : names) {
                alternatives.add(new GeneralName(IP.matcher(name).matches() ? GeneralName.iPAddress : GeneralName.dNSName, name));
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            return new Leaf(sign(builder, keys.getPrivate()), leafKeys.getPrivate(), certificate);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the CA certificate as PEM (what clients load with {@code Tls.trusting}). */
    public Path writeCaPem(Path file) throws IOException {
        Files.writeString(file, pem("CERTIFICATE", encoded(certificate)), StandardCharsets.US_ASCII);
        return file;
    }

    /** A client context trusting this CA only. */
    public SSLContext trustingContext() {
        return Tls.trusting(List.of(certificate));
    }

    /** An issued certificate with its key. */
    public record Leaf(X509Certificate certificate, PrivateKey privateKey, X509Certificate issuer) {

        /**
         * Writes {@code name.crt} (leaf then CA, PEM) and {@code name.key} (PKCS#8 PEM, unencrypted)
         * into {@code directory}.
         */
        public PemFiles write(Path directory, String name) throws IOException {
            Path chain = directory.resolve(name + ".crt");
            Path key = directory.resolve(name + ".key");
            Files.writeString(chain, pem("CERTIFICATE", encoded(certificate)) + pem("CERTIFICATE", encoded(issuer)), StandardCharsets.US_ASCII);
            Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII);
            return new PemFiles(chain, key);
        }

        /** A server context presenting this certificate (chain: leaf, CA). */
        public SSLContext serverContext() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                char[] password = new char[0];
                store.setKeyEntry("leaf", privateKey, password, new Certificate[] {certificate, issuer});
                KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(store, password);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keyManagers.getKeyManagers(), null, null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Where {@link Leaf#write} put the files. */
    public record PemFiles(Path certificateChain, Path privateKey) {
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
