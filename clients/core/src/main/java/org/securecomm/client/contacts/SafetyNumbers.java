package org.securecomm.client.contacts;

import java.nio.charset.StandardCharsets;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.fingerprint.Fingerprint;
import org.signal.libsignal.protocol.fingerprint.FingerprintParsingException;
import org.signal.libsignal.protocol.fingerprint.FingerprintVersionMismatchException;
import org.signal.libsignal.protocol.fingerprint.NumericFingerprintGenerator;

/**
 * Safety numbers from libsignal's fingerprint API, with addresses as the stable identifiers:
 * 60 digits both parties see identically, and a scannable payload for QR codes.
 */
public record SafetyNumbers(Fingerprint fingerprint) {

    private static final int ITERATIONS = 5200;
    private static final int VERSION = 2;

    public static SafetyNumbers of(String localAddress, IdentityKey localKey, String remoteAddress, IdentityKey remoteKey) {
        return new SafetyNumbers(new NumericFingerprintGenerator(ITERATIONS).createFor(VERSION,
                localAddress.getBytes(StandardCharsets.UTF_8), localKey, remoteAddress.getBytes(StandardCharsets.UTF_8), remoteKey));
    }

    /** The 60 digits in 12 groups of 5. */
    public String number() {
        String digits = fingerprint.getDisplayableFingerprint().getDisplayText();
        StringBuilder grouped = new StringBuilder();
        for (int i = 0; i < digits.length(); i += 5) {
            grouped.append(i == 0 ? "" : " ").append(digits, i, Math.min(digits.length(), i + 5));
        }
        return grouped.toString();
    }

    /** The payload a QR code carries (the peer scans it and calls {@link #matchesScanned}). */
    public byte[] scannable() {
        return fingerprint.getScannableFingerprint().getSerialized();
    }

    /** Whether a number read out or pasted by the user (spaces ignored) is this one. */
    public boolean matchesNumber(String typed) {
        return typed.replaceAll("\\s", "").equals(fingerprint.getDisplayableFingerprint().getDisplayText());
    }

    /** Whether a scanned QR payload from the peer matches; false also for an unreadable payload. */
    public boolean matchesScanned(byte[] scanned) {
        try {
            return fingerprint.getScannableFingerprint().compareTo(scanned);
        } catch (FingerprintVersionMismatchException | FingerprintParsingException e) {
            return false;
        }
    }
}
