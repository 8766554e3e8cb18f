package org.securecomm.client.crypto;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id from a passphrase to the profile's 256-bit storage key. The parameters are stored
 * beside the salt in the profile, so they can be raised for new profiles without breaking old
 * ones.
 */
public record PassphraseKdf(byte[] salt, int memoryKib, int iterations, int parallelism) {

    /** OWASP's first recommended Argon2id configuration is 19 MiB, 2 passes; we spend more. */
    public static final int DEFAULT_MEMORY_KIB = 64 * 1024;
    public static final int DEFAULT_ITERATIONS = 3;
    /** The floor accepted from configuration (tests use it to stay fast). */
    public static final int MIN_MEMORY_KIB = 1024;

    public PassphraseKdf {
        if (salt.length < 16 || memoryKib < MIN_MEMORY_KIB || iterations < 1 || parallelism < 1) {
            throw new IllegalArgumentException("Argon2id parameters out of range");
        }
    }

    public static PassphraseKdf fresh(int memoryKib, int iterations) {
        return new PassphraseKdf(Vault.random(16), memoryKib, iterations, 1);
    }

    public byte[] deriveKey(char[] passphrase) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .build());
        byte[] key = new byte[32];
        generator.generateBytes(toUtf8(passphrase), key);
        return key;
    }

    private static byte[] toUtf8(char[] passphrase) {
        java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(passphrase));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }
}
