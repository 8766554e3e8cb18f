package org.securecomm.relay.node;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.FrameLimits;
import org.securecomm.relay.account.Account;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.IdentifierRegistration;
import org.securecomm.relay.account.PasswordHasher;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.cluster.ClusterFormation;
import org.securecomm.relay.federation.FederationSettings;
import org.securecomm.relay.gateway.GatewaySettings;
import org.securecomm.relay.gateway.HttpServer;
import org.securecomm.relay.gateway.TlsContexts;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.media.MediaForwarder;
import org.securecomm.relay.media.TurnCredentialIssuer;

/** The {@code securecomm} section of the configuration, read once and checked at start-up. */
public record RelaySettings(
        String domain,
        Duration askTimeout,
        byte[] identifierHmacKey,
        HttpServer.Settings http,
        AccountManager.Settings accounts,
        IdentifierRegistration.Settings verification,
        Account.Settings account,
        PasswordHasher.Parameters passwordHash,
        Mailbox.Settings mailbox,
        GatewaySettings gateway,
        CallRoom.Settings calls,
        MediaForwarder.Settings media,
        TurnCredentialIssuer.Settings turn,
        FederationSettings federation,
        ClusterFormation.Settings cluster,
        Config verificationSender) {

    public static RelaySettings from(Config root) {
        Config c = root.getConfig("securecomm");
        String domain = c.getString("domain");
        if (!Address.isValidDomain(domain)) {
            throw new IllegalArgumentException("securecomm.domain is not a valid domain name: " + domain);
        }
        Duration askTimeout = c.getDuration("ask-timeout");
        String hmacKey = c.getString("identifiers.hmac-key");
        if (hmacKey.isBlank()) {
            throw new IllegalArgumentException("securecomm.identifiers.hmac-key (env SECURECOMM_IDENTIFIER_HMAC_KEY) is required:"
                    + " base64 of 32 random bytes, e.g. `head -c 32 /dev/urandom | base64`");
        }
        byte[] identifierHmacKey = Base64.getDecoder().decode(hmacKey.strip());
        if (identifierHmacKey.length < 32) {
            throw new IllegalArgumentException("securecomm.identifiers.hmac-key must decode to at least 32 bytes");
        }

        Config tls = c.getConfig("http.tls");
        String chain = tls.getString("certificate-chain");
        String key = tls.getString("private-key");
        if (chain.isBlank() != key.isBlank()) {
            throw new IllegalArgumentException("securecomm.http.tls needs both certificate-chain and private-key, or neither");
        }
        SSLContext sslContext = chain.isBlank() ? null : TlsContexts.fromPem(Path.of(chain), Path.of(key));
        HttpServer.Settings http = new HttpServer.Settings(c.getString("http.interface"), c.getInt("http.port"), sslContext,
                c.getDuration("http.shutdown-deadline"));

        Config verification = c.getConfig("verification");
        AccountManager.Settings accounts = new AccountManager.Settings(domain, askTimeout, verification.getInt("code-length"),
                verification.getString("test-identifier-prefix"), verification.getString("test-code"),
                c.getInt("accounts.credential-cache-size"));
        if (!accounts.testIdentifierPrefix().isEmpty() && accounts.testCode().length() < 6) {
            throw new IllegalArgumentException("securecomm.verification.test-code must have at least 6 characters");
        }
        IdentifierRegistration.Settings codes = new IdentifierRegistration.Settings(
                verification.getDuration("code-ttl").toMillis(), verification.getDuration("resend-after").toMillis(),
                verification.getInt("max-attempts"));
        Account.Settings account = new Account.Settings(c.getInt("accounts.max-devices"),
                c.getInt("accounts.prekeys.max-stored-per-kind"), c.getInt("accounts.prekeys.low-stock-threshold"));
        PasswordHasher.Parameters passwordHash = new PasswordHasher.Parameters(c.getInt("accounts.password-hash.memory-kib"),
                c.getInt("accounts.password-hash.iterations"), c.getInt("accounts.password-hash.parallelism"));

        Config m = c.getConfig("mailbox");
        Mailbox.Settings mailbox = new Mailbox.Settings(m.getInt("max-envelopes"), m.getBytes("max-bytes"),
                m.getDuration("envelope-ttl"), m.getInt("push-window"), m.getDuration("idle-timeout"),
                m.getDuration("expiry-check-interval"), m.getInt("snapshot-every"));
        int maxEnvelopeBytes = Math.toIntExact(m.getBytes("max-envelope-size"));

        Config l = c.getConfig("limits");
        Config g = c.getConfig("gateway");
        GatewaySettings gateway = new GatewaySettings(new FrameLimits(maxEnvelopeBytes, account.maxDevices()),
                g.getInt("max-in-flight-requests"), g.getInt("outbound-buffer"),
                l.getDouble("requests-per-second"), l.getDouble("request-burst"),
                l.getDouble("envelopes-per-second"), l.getDouble("envelope-burst"),
                l.getDouble("discovery-hashes-per-minute"), l.getDouble("discovery-hash-burst"),
                l.getDouble("authentication-attempts-per-minute"), l.getDouble("authentication-attempt-burst"),
                g.getDuration("frame-read-timeout"));

        Config k = c.getConfig("calls");
        CallRoom.Settings calls = new CallRoom.Settings(k.getDuration("ring-timeout"), k.getDuration("rejoin-window"),
                k.getInt("max-participants"));
        if (calls.ringTimeout().isNegative() || calls.ringTimeout().isZero() || calls.rejoinWindow().isNegative()
                || calls.maxParticipants() < 2) {
            throw new IllegalArgumentException("securecomm.calls: ring-timeout must be positive, rejoin-window not negative,"
                    + " max-participants at least 2");
        }

        Config md = c.getConfig("media");
        MediaForwarder.Settings media = new MediaForwarder.Settings(md.getString("bind-host"), md.getInt("port"),
                md.getString("advertised-host"), md.getInt("threads"));
        Config t = c.getConfig("turn");
        TurnCredentialIssuer.Settings turn = new TurnCredentialIssuer.Settings(
                t.getStringList("urls").stream().map(String::strip).filter(u -> !u.isEmpty()).toList(),
                t.getString("secret"), t.getDuration("ttl"));

        return new RelaySettings(domain, askTimeout, identifierHmacKey, http, accounts, codes, account, passwordHash, mailbox,
                gateway, calls, media, turn, FederationSettings.from(root), ClusterFormation.Settings.from(root), verification);
    }

    public int maxEnvelopeBytes() {
        return gateway.frameLimits().maxEnvelopeBytes();
    }
}
