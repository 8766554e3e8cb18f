package org.securecomm.client.linking;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.ecc.ECPublicKey;

/** {@code securecomm://link?server=...&channel=...&key=...}: what the new device shows to the existing one. */
public record LinkUri(URI server, String channelId, ECPublicKey newDeviceKey) {

    public String format() {
        return "securecomm://link?server=" + URLEncoder.encode(server.toString(), StandardCharsets.UTF_8)
                + "&channel=" + URLEncoder.encode(channelId, StandardCharsets.UTF_8)
                + "&key=" + Base64.getUrlEncoder().withoutPadding().encodeToString(newDeviceKey.serialize());
    }

    /** @throws IllegalArgumentException when the text is not a complete link */
    public static LinkUri parse(String text) {
        String prefix = "securecomm://link?";
        if (text == null || !text.strip().startsWith(prefix)) {
            throw new IllegalArgumentException("a device link starts with " + prefix);
        }
        Map<String, String> params = new HashMap<>();
        for (String pair : text.strip().substring(prefix.length()).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (!params.containsKey("server") || !params.containsKey("channel") || !params.containsKey("key")) {
            throw new IllegalArgumentException("the device link lacks server, channel or key");
        }
        try {
            return new LinkUri(URI.create(params.get("server")), params.get("channel"),
                    new ECPublicKey(Base64.getUrlDecoder().decode(params.get("key"))));
        } catch (InvalidKeyException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the device link's key is not valid");
        }
    }
}
