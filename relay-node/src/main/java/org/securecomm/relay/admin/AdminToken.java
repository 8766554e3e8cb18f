package org.securecomm.relay.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** The admin bearer token: loading, generating (written owner-only) and a constant-time check. */
public final class AdminToken {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] digest;

    AdminToken(String token) {
        this.digest = sha256(token);
    }

    /** 256 random bits, base64url without padding. */
    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Compares digests, so neither the token's content nor its length shows in the time taken.
     *
     * @param presented the token of the request, null when it sent none
     */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    /** The token in {@code file}, stripped; IllegalArgumentException when the file is empty. */
    static String read(Path file) throws IOException {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.length() < AdminSettings.MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the admin token file " + file + " must hold a token of at least "
                    + AdminSettings.MIN_TOKEN_LENGTH + " characters");
        }
        return token;
    }

    /** Writes {@code token} to a new file readable by its owner only (mode 0600, directory 0700 when created). */
    static void write(Path file, String token) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        boolean posix = parent.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(parent)) {
            if (posix) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(parent);
            }
        }
        Files.deleteIfExists(file);
        try {
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("the admin token file " + file + " appeared while it was being written", e);
        }
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
