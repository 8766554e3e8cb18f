package org.securecomm.federation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.federation.v1.Rejection;
import org.securecomm.protocol.federation.v1.ServerDescription;
import org.securecomm.protocol.federation.v1.ServerKey;
import org.securecomm.protocol.federation.v1.SignedServerDescription;

/**
 * Signs and verifies the well-known document ({@code GET https://{domain}/.well-known/securecomm/server}).
 * The document is self-signed by one of the keys it lists; what makes it trustworthy is that it was
 * fetched over HTTPS from the domain itself (WebPKI), and the signature binds the keys to the
 * domain and the endpoint so a copy served elsewhere, or for another domain, is refused.
 *
 * <p>Every failure is {@link Rejection#ORIGIN_UNREACHABLE}: for the peer whose request we were
 * verifying, a description we cannot trust is one we could not fetch.
 */
public final class ServerDescriptions {

    /** Well-known path, relative to the domain's base URI. */
    public static final String WELL_KNOWN_PATH = "/.well-known/securecomm/server";
    /** More keys than any sane rotation schedule publishes; bounds the work of a hostile document. */
    static final int MAX_KEYS = 16;

    private ServerDescriptions() {
    }

    /**
     * Signs a description of this cluster with the current key of {@code keys}. The document's
     * validity is capped by the current key's expiry, so no verifier can see an unexpired document
     * signed by an expired key.
     */
    public static SignedServerDescription sign(ServerKeys keys, String domain, URI federationEndpoint, Instant now, Duration validity) {
        ServerKeyPair signer = keys.current();
        if (!signer.isValidAt(now)) {
            throw new IllegalStateException("the current key " + signer.keyId() + " is not valid at " + now);
        }
        requireHttpsEndpoint(federationEndpoint);
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        Instant validUntil = now.plus(validity);
        if (validUntil.isAfter(signer.expiresAt())) {
            validUntil = signer.expiresAt();
        }
        ServerDescription description = ServerDescription.newBuilder()
                .setDomain(domain)
                .setFederationEndpoint(federationEndpoint.toString())
                .addAllKeys(keys.published(now))
                .setIssuedAtMillis(now.toEpochMilli())
                .setValidUntilMillis(validUntil.toEpochMilli())
                .build();
        return sign(signer, description);
    }

    /** Signs the given description as is (test vectors, tools). */
    public static SignedServerDescription sign(ServerKeyPair signer, ServerDescription description) {
        byte[] bytes = description.toByteArray();
        return SignedServerDescription.newBuilder()
                .setDescription(ByteString.copyFrom(bytes))
                .setKeyId(signer.keyId())
                .setSignature(ByteString.copyFrom(signer.sign(FederationSignatures.DESCRIPTION_CONTEXT, bytes)))
                .build();
    }

    /**
     * Checks, in this order: the bytes parse; the signing key is listed, valid now and its signature
     * verifies over {@code context || 0x00 || description}; the domain is {@code expectedDomain};
     * every listed key is well formed (id, 32-byte point, validity) with unique ids; the endpoint is
     * an https URL without path suffix, query or fragment; {@code now} is before valid_until.
     */
    public static PeerDescription verify(byte[] signedDescriptionBytes, String expectedDomain, Instant now) throws FederationRejection {
        String who = "description of " + expectedDomain + ": ";
        SignedServerDescription signed;
        ServerDescription description;
        try {
            signed = SignedServerDescription.parseFrom(signedDescriptionBytes);
            description = ServerDescription.parseFrom(signed.getDescription());
        } catch (InvalidProtocolBufferException e) {
            throw unreachable(who + "not a SignedServerDescription");
        }
        if (description.getKeysCount() == 0 || description.getKeysCount() > MAX_KEYS) {
            throw unreachable(who + "lists " + description.getKeysCount() + " keys (1-" + MAX_KEYS + " allowed)");
        }
        ServerKey signer = null;
        for (ServerKey key : description.getKeysList()) {
            if (key.getKeyId().equals(signed.getKeyId())) {
                signer = key;
                break;
            }
        }
        if (signer == null) {
            throw unreachable(who + "signed with a key it does not list");
        }
        long nowMillis = now.toEpochMilli();
        if (nowMillis < signer.getValidFromMillis() || nowMillis >= signer.getExpiresAtMillis()) {
            throw unreachable(who + "signed with key " + safe(signer.getKeyId()) + " that is not valid now");
        }
        if (!FederationSignatures.verify(signer.getPublicKey().toByteArray(), FederationSignatures.DESCRIPTION_CONTEXT,
                signed.getDescription().toByteArray(), signed.getSignature().toByteArray())) {
            throw unreachable(who + "bad signature");
        }
        if (!description.getDomain().equals(expectedDomain)) {
            throw unreachable(who + "the document is for another domain (" + safe(description.getDomain()) + ")");
        }
        checkKeys(who, description.getKeysList());
        URI endpoint;
        try {
            endpoint = requireHttpsEndpoint(new URI(description.getFederationEndpoint()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw unreachable(who + "the federation endpoint is not an https URL without trailing slash, query or fragment");
        }
        if (description.getValidUntilMillis() <= description.getIssuedAtMillis()) {
            throw unreachable(who + "valid_until is not after issued_at");
        }
        Instant validUntil = Instant.ofEpochMilli(description.getValidUntilMillis());
        if (!now.isBefore(validUntil)) {
            throw unreachable(who + "expired at " + validUntil);
        }
        return new PeerDescription(description.getDomain(), endpoint, description.getKeysList(), validUntil);
    }

    private static void checkKeys(String who, List<ServerKey> keys) throws FederationRejection {
        Set<String> ids = new HashSet<>();
        for (ServerKey key : keys) {
            if (!KeyIds.isValid(key.getKeyId()) || !ids.add(key.getKeyId())) {
                throw unreachable(who + "a key id is malformed or listed twice");
            }
            if (!FederationSignatures.isValidPublicKey(key.getPublicKey().toByteArray())) {
                throw unreachable(who + "key " + key.getKeyId() + " is not a 32-byte Ed25519 public key");
            }
            if (key.getValidFromMillis() >= key.getExpiresAtMillis()) {
                throw unreachable(who + "key " + key.getKeyId() + " expires before it becomes valid");
            }
        }
    }

    /** An absolute https URL with a host and no trailing slash, query, fragment or user info. */
    static URI requireHttpsEndpoint(URI endpoint) {
        if (endpoint == null || !"https".equals(endpoint.getScheme() == null ? null : endpoint.getScheme().toLowerCase(Locale.ROOT))
                || endpoint.getHost() == null || endpoint.getRawUserInfo() != null
                || endpoint.getRawQuery() != null || endpoint.getRawFragment() != null
                || (endpoint.getRawPath() != null && endpoint.getRawPath().endsWith("/"))) {
            throw new IllegalArgumentException("a federation endpoint is an https URL without trailing slash, query or fragment: " + endpoint);
        }
        return endpoint;
    }

    private static FederationRejection unreachable(String message) {
        return new FederationRejection(Rejection.ORIGIN_UNREACHABLE, message);
    }

    /** Peer-chosen text echoed into our messages and logs: bounded and printable. */
    static String safe(String text) {
        String shortened = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return shortened.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Whether a domain is acceptable as an origin or destination (the address rules). */
    static boolean isValidDomain(String domain) {
        return domain != null && !domain.isEmpty() && Address.isValidDomain(domain);
    }
}
