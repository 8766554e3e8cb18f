package org.securecomm.client.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.securecomm.client.crypto.PassphraseKdf;
import org.securecomm.client.crypto.SealedDataException;
import org.securecomm.client.crypto.Vault;

/**
 * One profile: a directory (owner-only) holding a SQLite database. Secrets in it (keys, sessions,
 * message bodies, contact names, credentials) are sealed with AES-256-GCM under a key derived
 * from the user's passphrase with Argon2id; only the KDF parameters and a check value are
 * stored in the clear. One process at a time: the profile is locked while open.
 *
 * <p>All access is serialized on this object; {@link #transaction} makes a group of writes
 * atomic (the receive path stores a decrypted message and the advanced session together).
 */
public final class ProfileStore implements AutoCloseable {

    private static final String DATABASE = "profile.db";
    private static final String CHECK_TEXT = "securecomm profile v1";

    private final Path dir;
    private final Connection connection;
    private final Vault vault;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private ProfileStore(Path dir, Connection connection, Vault vault, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.connection = connection;
        this.vault = vault;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(DATABASE));
    }

    /** Creates a new profile; the directory may exist but must not hold one. */
    public static ProfileStore create(Path dir, char[] passphrase, int kdfMemoryKib, int kdfIterations) {
        if (exists(dir)) {
            throw new ProfileException("a profile already exists in " + dir);
        }
        ownerOnlyDirectory(dir);
        PassphraseKdf kdf = PassphraseKdf.fresh(kdfMemoryKib, kdfIterations);
        Vault vault = new Vault(kdf.deriveKey(passphrase));
        ProfileStore store = openLocked(dir, vault);
        store.transaction(() -> {
            Schema.create(store);
            store.update("INSERT INTO meta(key, value) VALUES ('kdf', ?)",
                    (kdf.memoryKib() + ":" + kdf.iterations() + ":" + kdf.parallelism()).getBytes(StandardCharsets.UTF_8));
            store.update("INSERT INTO meta(key, value) VALUES ('salt', ?)", kdf.salt());
            store.update("INSERT INTO meta(key, value) VALUES ('check', ?)",
                    vault.seal("meta/check", CHECK_TEXT.getBytes(StandardCharsets.UTF_8)));
            return null;
        });
        return store;
    }

    /** Opens an existing profile. @throws ProfileException when missing, locked or the passphrase is wrong */
    public static ProfileStore open(Path dir, char[] passphrase) {
        if (!exists(dir)) {
            throw new ProfileException("no profile in " + dir);
        }
        ownerOnlyDirectory(dir);
        ProfileStore locked = openLocked(dir, null);
        try {
            String[] params = new String(locked.meta("kdf"), StandardCharsets.UTF_8).split(":");
            PassphraseKdf kdf = new PassphraseKdf(locked.meta("salt"), Integer.parseInt(params[0]),
                    Integer.parseInt(params[1]), Integer.parseInt(params[2]));
            Vault vault = new Vault(kdf.deriveKey(passphrase));
            try {
                vault.open("meta/check", locked.meta("check"));
            } catch (SealedDataException e) {
                throw new ProfileException("wrong passphrase for the profile in " + dir);
            }
            ProfileStore store = new ProfileStore(dir, locked.connection, vault, locked.lockChannel, locked.lock);
            Schema.upgrade(store);
            return store;
        } catch (RuntimeException e) {
            locked.close();
            throw e;
        }
    }

    private static ProfileStore openLocked(Path dir, Vault vault) {
        FileChannel channel = null;
        try {
            Path lockFile = dir.resolve("lock");
            if (!Files.exists(lockFile)) {
                Files.createFile(lockFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new ProfileException("the profile in " + dir + " is in use by another securecomm process");
            }
            Path database = dir.resolve(DATABASE);
            if (!Files.exists(database)) {
                Files.createFile(database, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
            try (var statement = connection.createStatement()) {
                // WAL + NORMAL survives the loss of the process at any point (only power loss can
                // drop the last commits); that is what "acknowledge after storing" relies on.
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=NORMAL");
                statement.execute("PRAGMA foreign_keys=ON");
                statement.execute("PRAGMA busy_timeout=5000");
            }
            for (String suffix : List.of("-wal", "-shm")) {
                Path side = dir.resolve(DATABASE + suffix);
                if (Files.exists(side)) {
                    Files.setPosixFilePermissions(side, PosixFilePermissions.fromString("rw-------"));
                }
            }
            return new ProfileStore(dir, connection, vault, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            closeQuietly(channel);
            throw new ProfileException("cannot open the profile database: " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock goes with the channel
            }
        }
    }

    private static void ownerOnlyDirectory(Path dir) {
        try {
            if (!Files.exists(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Vault vault() {
        return vault;
    }

    private byte[] meta(String key) {
        return queryOne("SELECT value FROM meta WHERE key = ?", rs -> rs.getBytes(1), key)
                .orElseThrow(() -> new ProfileException("the profile is damaged: no " + key));
    }

    // ------------------------------------------------------------ sealed settings

    public synchronized Optional<byte[]> secret(String key) {
        return queryOne("SELECT value FROM settings WHERE key = ?", rs -> rs.getBytes(1), key)
                .map(sealed -> vault.open("settings/" + key, sealed));
    }

    public synchronized void putSecret(String key, byte[] value) {
        update("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                key, vault.seal("settings/" + key, value));
    }

    public Optional<String> setting(String key) {
        return secret(key).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    public void putSetting(String key, String value) {
        putSecret(key, value.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------ SQL helpers

    /** A unit of work inside one SQLite transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Runs {@code work} atomically; nested calls join the outer transaction. */
    public synchronized <T> T transaction(Work<T> work) {
        try {
            if (!connection.getAutoCommit()) {
                return work.run();
            }
            connection.setAutoCommit(false);
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (Exception | Error e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException(e);
        }
    }

    public synchronized int update(String sql, Object... params) {
        try (PreparedStatement statement = prepare(sql, params)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public synchronized <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (PreparedStatement statement = prepare(sql, params); ResultSet rows = statement.executeQuery()) {
            List<T> result = new ArrayList<>();
            while (rows.next()) {
                result.add(mapper.map(rows));
            }
            return result;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = query(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private PreparedStatement prepare(String sql, Object... params) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
        return statement;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // released with the channel
        }
        closeQuietly(lockChannel);
    }
}
