package org.securecomm.relay.federation;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.securecomm.federation.PeerPolicy;
import org.securecomm.federation.ServerKeyPair;
import org.securecomm.federation.ServerKeys;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.federation.v1.ServerKey;
import org.securecomm.relay.federation.outbound.PeerQueueSettings;

/**
 * The {@code securecomm.federation} section: whether this cluster federates, where its HTTPS
 * federation listener is, its server keys, how peers are found and what it accepts from them.
 */
public record FederationSettings(
        boolean enabled,
        String bindInterface,
        int port,
        Path certificateChain,
        Path privateKey,
        String publicEndpoint,
        Path trustedCertificates,
        ServerKeys keys,
        Map<String, URI> pinnedPeers,
        PeerPolicy policy,
        Duration allowedClockSkew,
        Duration descriptionValidity,
        Duration maxDescriptionCacheAge,
        Duration requestTimeout,
        Duration deliveryWait,
        Duration callPushTtl,
        PeerQueueSettings queue) {

    /** Rate-limit buckets kept per node; beyond it the least recently seen origin starts afresh. */
    private static final int MAX_TRACKED_ORIGINS = 10_000;

    public static FederationSettings from(Config root) {
        Config f = root.getConfig("securecomm.federation");
        boolean enabled = f.getBoolean("enabled");
        PeerQueueSettings queue = PeerQueueSettings.from(root);
        Set<String> allow = domains(f.getStringList("allow"), "allow");
        Set<String> deny = domains(f.getStringList("deny"), "deny");
        PeerPolicy policy = new PeerPolicy(allow, deny, Math.toIntExact(f.getBytes("max-request-size")),
                f.getDouble("requests-per-second"), f.getInt("request-burst"), MAX_TRACKED_ORIGINS);
        Map<String, URI> pins = pins(f.getConfigList("peers"));
        if (!enabled) {
            return new FederationSettings(false, "", 0, null, null, "", null, null, pins, policy,
                    f.getDuration("allowed-clock-skew"), f.getDuration("description-validity"),
                    f.getDuration("max-description-cache-age"), f.getDuration("request-timeout"), f.getDuration("delivery-wait"),
                    f.getDuration("call-push-ttl"), queue);
        }
        String chain = f.getString("tls.certificate-chain");
        String key = f.getString("tls.private-key");
        if (chain.isBlank() || key.isBlank()) {
            throw new IllegalArgumentException("securecomm.federation.enabled needs securecomm.federation.tls.certificate-chain and"
                    + " private-key (PEM files): federation is HTTPS only");
        }
        String trust = f.getString("trusted-certificates");
        return new FederationSettings(true, f.getString("interface"), f.getInt("port"), Path.of(chain), Path.of(key),
                f.getString("public-endpoint").strip(), trust.isBlank() ? null : Path.of(trust), keys(f), pins, policy,
                f.getDuration("allowed-clock-skew"), f.getDuration("description-validity"),
                f.getDuration("max-description-cache-age"), f.getDuration("request-timeout"), f.getDuration("delivery-wait"),
                f.getDuration("call-push-ttl"), queue);
    }

    private static ServerKeys keys(Config f) {
        Config signing = f.getConfig("signing-key");
        String seed = signing.getString("seed");
        if (seed.isBlank()) {
            throw new IllegalArgumentException("securecomm.federation.signing-key.seed (env SECURECOMM_FEDERATION_KEY_SEED) is"
                    + " required: base64 of 32 random bytes, e.g. `head -c 32 /dev/urandom | base64`");
        }
        ServerKeyPair current = ServerKeyPair.fromSeed(signing.getString("id"), Base64.getDecoder().decode(seed.strip()),
                Instant.parse(signing.getString("valid-from")), Instant.parse(signing.getString("expires-at")));
        List<ServerKey> previous = new ArrayList<>();
        for (Config old : f.getConfigList("previous-keys")) {
            previous.add(ServerKey.newBuilder().setKeyId(old.getString("id"))
                    .setPublicKey(ByteString.copyFrom(Base64.getDecoder().decode(old.getString("public-key").strip())))
                    .setValidFromMillis(Instant.parse(old.getString("valid-from")).toEpochMilli())
                    .setExpiresAtMillis(Instant.parse(old.getString("expires-at")).toEpochMilli())
                    .build());
        }
        return new ServerKeys(current, previous);
    }

    private static Set<String> domains(List<String> list, String key) {
        for (String domain : list) {
            if (!Address.isValidDomain(domain)) {
                throw new IllegalArgumentException("securecomm.federation." + key + ": not a domain: " + domain);
            }
        }
        return list.stream().collect(Collectors.toUnmodifiableSet());
    }

    /** {@code peers = [{ domain = "b.example", url = "https://10.0.0.2:8448" }]}: where a peer's well-known document is fetched. */
    private static Map<String, URI> pins(List<? extends Config> peers) {
        Map<String, URI> pins = new LinkedHashMap<>();
        for (Config peer : peers) {
            String domain = peer.getString("domain");
            if (!Address.isValidDomain(domain)) {
                throw new IllegalArgumentException("securecomm.federation.peers: not a domain: " + domain);
            }
            URI uri = URI.create(peer.getString("url"));
            if (!"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("securecomm.federation.peers: " + domain + " needs an https url, got " + uri);
            }
            pins.put(domain, uri);
        }
        return Map.copyOf(pins);
    }
}
