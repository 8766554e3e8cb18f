package org.securecomm.federation;

import java.util.HexFormat;

/** Hex as the test vectors write it: lower case, no separators (spaces and line breaks ignored when reading). */
final class Hex {

    private Hex() {
    }

    static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] parse(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }
}
