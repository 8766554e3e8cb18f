package org.securecomm.relay.account;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.FrameLimits;
import org.securecomm.protocol.Identifiers;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.EntityRefs;
import org.securecomm.relay.Asks;
import org.securecomm.relay.mailbox.Mailbox;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.relay.session.UserSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration, authentication and devices: the steps that span the IdentifierRegistration,
 * Username and Account entities. Every step is idempotent, so a request that failed half way can
 * simply be sent again.
 */
public final class AccountManager {

    public record Settings(String domain, Duration askTimeout, int codeLength, String testIdentifierPrefix,
                           String testCode, int credentialCacheSize) {
    }

    public record Registration(String accountId, Address address, int deviceId, String password) {
    }

    public record NewDevice(int deviceId, String password) {
    }

    private static final Logger log = LoggerFactory.getLogger(AccountManager.class);
    private static final int MAX_REGISTRATION_ID = 16380; // libsignal's range
    private static final int MAX_KEY_BYTES = 64;
    private static final int ACCOUNT_REF_CACHE_SIZE = 10_000;

    private final ClusterSharding sharding;
    private final Settings settings;
    private final IdentifierHasher identifierHasher;
    private final PasswordHasher passwordHasher;
    private final VerificationCodeSender codeSender;
    private final Executor hashingExecutor;
    private final Clock clock;
    private final CredentialCache credentialCache;
    private final SecureRandom random = new SecureRandom();
    // Usernames never change owner, so resolved addresses can be cached for the node's lifetime.
    private final ConcurrentHashMap<String, String> accountIdByUsername = new ConcurrentHashMap<>();
    // Every send asks the recipient's (and maybe the sender's) Account for its devices.
    private final EntityRefs<Account.Command> accountRefs;

    public AccountManager(ClusterSharding sharding, Settings settings, IdentifierHasher identifierHasher,
                          PasswordHasher passwordHasher, VerificationCodeSender codeSender, Executor hashingExecutor, Clock clock) {
        this.sharding = sharding;
        this.settings = settings;
        this.identifierHasher = identifierHasher;
        this.passwordHasher = passwordHasher;
        this.codeSender = codeSender;
        this.hashingExecutor = hashingExecutor;
        this.clock = clock;
        this.credentialCache = new CredentialCache(settings.credentialCacheSize());
        this.accountRefs = new EntityRefs<>(sharding, Account.TYPE_KEY, ACCOUNT_REF_CACHE_SIZE);
    }

    public String domain() {
        return settings.domain();
    }

    // ------------------------------------------------------------------ registration

    /** Sends a fresh code; answers how many seconds it stays valid. */
    public CompletionStage<Long> requestVerificationCode(String identifier) {
        String normalized = normalize(identifier);
        boolean testIdentifier = isTestIdentifier(normalized);
        String code = testIdentifier ? settings.testCode() : randomCode();
        long now = clock.millis();
        return Asks.plain(registration(normalized).<IdentifierRegistration.IssueResult>ask(
                        replyTo -> new IdentifierRegistration.IssueCode(code, now, replyTo), settings.askTimeout()))
                .thenCompose(result -> {
                    if (result instanceof IdentifierRegistration.ResendTooSoon tooSoon) {
                        throw ApiException.rateLimited("a code was sent moments ago", (tooSoon.retryAfterMillis() + 999) / 1000);
                    }
                    long expiresAt = ((IdentifierRegistration.CodeIssued) result).expiresAtMillis();
                    CompletionStage<Void> sent = testIdentifier ? CompletableFuture.completedFuture(null) : codeSender.send(normalized, code);
                    return sent.thenApply(ignored -> Math.max(1, (expiresAt - now) / 1000));
                });
    }

    public CompletionStage<Registration> register(String identifier, String code, String username, int registrationId,
                                                  byte[] identityKey, byte[] encryptedDeviceName) {
        String normalized = normalize(identifier);
        if (!Address.isValidUsername(username)) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT,
                    "a username is 3-32 characters a-z 0-9 . _ -, starting and ending with a letter or digit");
        }
        checkRegistrationId(registrationId);
        if (identityKey.length == 0 || identityKey.length > MAX_KEY_BYTES) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "identity_key must be 1 to " + MAX_KEY_BYTES + " bytes");
        }
        checkDeviceName(encryptedDeviceName);
        EntityRef<IdentifierRegistration.Command> registration = registration(normalized);
        long now = clock.millis();
        return Asks.plain(registration.<IdentifierRegistration.VerifyResult>ask(
                        replyTo -> new IdentifierRegistration.VerifyCode(code, now, replyTo), settings.askTimeout()))
                .thenCompose(verified -> {
                    String accountId = verifiedAccountId(verified);
                    return Asks.plain(account(accountId).ask(Account.GetDevices::new, settings.askTimeout()))
                            .thenCompose(existing -> {
                                if (existing.disabled()) {
                                    throw accountDisabled();
                                }
                                if (!existing.exists()) {
                                    return claimUsername(username, accountId);
                                }
                                // Re-registration: every device of the old installation is gone.
                                existing.devices().forEach(device -> forgetDevice(accountId, device.id()));
                                return CompletableFuture.completedFuture(existing.username());
                            })
                            .thenCompose(finalUsername -> hashPassword().thenCompose(credential ->
                                    Asks.plain(account(accountId).<Account.Created>ask(replyTo -> new Account.Create(finalUsername,
                                                    registrationId, identityKey, credential.hash(), encryptedDeviceName, now, replyTo),
                                                    settings.askTimeout()))
                                            .thenCompose(created -> Asks.plain(registration.<IdentifierRegistration.Bound>ask(
                                                            replyTo -> new IdentifierRegistration.Bind(accountId, replyTo), settings.askTimeout()))
                                                    .thenApply(bound -> {
                                                        log.info("account registered account={}", accountId);
                                                        return bound;
                                                    })
                                                    .thenApply(bound -> new Registration(accountId,
                                                            new Address(created.username(), settings.domain()), created.deviceId(),
                                                            credential.password())))));
                });
    }

    private static String verifiedAccountId(IdentifierRegistration.VerifyResult result) {
        if (result instanceof IdentifierRegistration.Verified verified) {
            return verified.accountId();
        }
        if (result instanceof IdentifierRegistration.WrongCode wrong) {
            throw new ApiException(ErrorCode.VERIFICATION_CODE_INVALID,
                    "wrong verification code, " + wrong.attemptsLeft() + " attempt(s) left");
        }
        if (result instanceof IdentifierRegistration.AttemptsExhausted) {
            throw new ApiException(ErrorCode.VERIFICATION_ATTEMPTS_EXHAUSTED, "too many wrong codes: request a new code");
        }
        throw new ApiException(ErrorCode.VERIFICATION_CODE_EXPIRED, "no valid code for this identifier: request one");
    }

    private CompletionStage<String> claimUsername(String username, String accountId) {
        return Asks.plain(sharding.entityRefFor(Username.TYPE_KEY, username)
                .<Username.ClaimResult>ask(replyTo -> new Username.Claim(accountId, replyTo), settings.askTimeout()))
                .thenApply(result -> {
                    if (!result.granted()) {
                        throw new ApiException(ErrorCode.USERNAME_TAKEN, "the username " + username + " is taken");
                    }
                    accountIdByUsername.put(username, accountId);
                    return username;
                });
    }

    // ------------------------------------------------------------------ authentication and devices

    public CompletionStage<Authenticated> authenticate(String accountId, int deviceId, String password) {
        if (!isAccountId(accountId) || deviceId <= 0 || password.isEmpty()) {
            return CompletableFuture.failedFuture(authenticationFailed());
        }
        return Asks.plain(account(accountId).ask(Account.GetDevices::new, settings.askTimeout())).thenCompose(devices -> {
            DeviceSummary device = devices.exists()
                    ? devices.devices().stream().filter(d -> d.id() == deviceId).findFirst().orElse(null) : null;
            if (device == null) {
                throw authenticationFailed();
            }
            String cacheKey = accountId + "." + deviceId;
            CompletionStage<Boolean> valid = credentialCache.matches(cacheKey, device.passwordHash(), password)
                    ? CompletableFuture.completedFuture(true)
                    : CompletableFuture.supplyAsync(() -> passwordHasher.verify(password, device.passwordHash()), hashingExecutor);
            return valid.thenApply(ok -> {
                if (!ok) {
                    throw authenticationFailed();
                }
                if (devices.disabled()) { // told only to the holder of a valid credential
                    throw accountDisabled();
                }
                credentialCache.remember(cacheKey, device.passwordHash(), password);
                return new Authenticated(new AuthenticatedDevice(accountId, deviceId, new Address(devices.username(), settings.domain())),
                        device.keyStock());
            });
        });
    }

    public record Authenticated(AuthenticatedDevice device, KeyStock keyStock) {
    }

    public CompletionStage<NewDevice> addDevice(AuthenticatedDevice device, int registrationId, byte[] encryptedName) {
        checkRegistrationId(registrationId);
        checkDeviceName(encryptedName);
        long now = clock.millis();
        return hashPassword().thenCompose(credential -> Asks.plain(account(device.accountId())
                .<Account.LinkResult>ask(replyTo -> new Account.LinkDevice(registrationId, credential.hash(), encryptedName, now, replyTo),
                        settings.askTimeout()))
                .thenApply(result -> {
                    if (result instanceof Account.Linked linked) {
                        log.info("device linked account={} device={}", device.accountId(), linked.deviceId());
                        return new NewDevice(linked.deviceId(), credential.password());
                    }
                    throw new ApiException(ErrorCode.TOO_MANY_DEVICES, ((Account.LinkRefused) result).reason());
                }));
    }

    public CompletionStage<Void> removeDevice(AuthenticatedDevice requester, int deviceId) {
        return Asks.plain(account(requester.accountId())
                .<Account.RemoveResult>ask(replyTo -> new Account.RemoveDevice(deviceId, requester.deviceId(), replyTo), settings.askTimeout()))
                .thenApply(result -> {
                    switch (result) {
                        case REMOVED -> {
                            log.info("device removed account={} device={} by={}", requester.accountId(), deviceId, requester.deviceId());
                            forgetDevice(requester.accountId(), deviceId);
                        }
                        case UNKNOWN_DEVICE -> throw new ApiException(ErrorCode.UNKNOWN_DEVICE, "the account has no device " + deviceId);
                        case FORBIDDEN -> throw new ApiException(ErrorCode.FORBIDDEN,
                                "only the primary device removes other devices, and the primary device cannot be removed");
                    }
                    return null;
                });
    }

    /** Closes a removed device's connection and empties its mailbox. */
    private void forgetDevice(String accountId, int deviceId) {
        sharding.entityRefFor(UserSession.TYPE_KEY, accountId).tell(new UserSession.Notify(deviceId, new DeviceMessage.Removed()));
        sharding.entityRefFor(Mailbox.TYPE_KEY, Mailbox.entityId(accountId, deviceId)).tell(new Mailbox.Purge());
    }

    public CompletionStage<Account.Devices> devices(String accountId) {
        return Asks.plain(account(accountId).ask(Account.GetDevices::new, settings.askTimeout()));
    }

    /** An address as a client or a peer wrote it; INVALID_ARGUMENT when it is not {@code name@domain}. */
    public static Address parseAddress(String addressText) {
        try {
            return Address.parse(addressText);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
    }

    /** Whether the address is served by this cluster (else by a federated one). */
    public boolean isLocal(Address address) {
        return address.domain().equals(settings.domain());
    }

    /** The account id behind an address of this relay's domain. */
    public CompletionStage<String> resolve(String addressText) {
        Address address;
        try {
            address = parseAddress(addressText);
        } catch (ApiException e) {
            return CompletableFuture.failedFuture(e);
        }
        return resolve(address);
    }

    /** The account id behind an address of this relay's domain. */
    public CompletionStage<String> resolve(Address address) {
        if (!isLocal(address)) {
            return CompletableFuture.failedFuture(new ApiException(ErrorCode.UNKNOWN_ACCOUNT,
                    address + " is not an address of this relay (" + settings.domain() + ")"));
        }
        String cached = accountIdByUsername.get(address.username());
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return Asks.plain(sharding.entityRefFor(Username.TYPE_KEY, address.username())
                .ask(Username.Resolve::new, settings.askTimeout()))
                .thenApply(owner -> {
                    if (owner.accountId() == null) {
                        throw new ApiException(ErrorCode.UNKNOWN_ACCOUNT, "no account " + address);
                    }
                    accountIdByUsername.put(address.username(), owner.accountId());
                    return owner.accountId();
                });
    }

    // ------------------------------------------------------------------ helpers

    private record Credential(String password, String hash) {
    }

    private CompletionStage<Credential> hashPassword() {
        return CompletableFuture.supplyAsync(() -> {
            String password = passwordHasher.newPassword();
            return new Credential(password, passwordHasher.hash(password));
        }, hashingExecutor);
    }

    private EntityRef<IdentifierRegistration.Command> registration(String normalizedIdentifier) {
        return sharding.entityRefFor(IdentifierRegistration.TYPE_KEY,
                identifierHasher.keyForClientHash(Identifiers.clientHash(normalizedIdentifier)));
    }

    EntityRef<Account.Command> account(String accountId) {
        return accountRefs.get(accountId);
    }

    private String normalize(String identifier) {
        try {
            return Identifiers.normalize(identifier);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private boolean isTestIdentifier(String normalized) {
        return !settings.testIdentifierPrefix().isEmpty() && normalized.startsWith(settings.testIdentifierPrefix());
    }

    private String randomCode() {
        StringBuilder code = new StringBuilder(settings.codeLength());
        for (int i = 0; i < settings.codeLength(); i++) {
            code.append((char) ('0' + random.nextInt(10)));
        }
        return code.toString();
    }

    private static void checkDeviceName(byte[] encryptedName) {
        if (encryptedName.length > FrameLimits.MAX_DEVICE_NAME_BYTES) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "an encrypted device name is at most " + FrameLimits.MAX_DEVICE_NAME_BYTES + " bytes");
        }
    }

    private static void checkRegistrationId(int registrationId) {
        if (registrationId < 1 || registrationId > MAX_REGISTRATION_ID) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "registration_id must be 1 to " + MAX_REGISTRATION_ID);
        }
    }

    private static boolean isAccountId(String text) {
        try {
            return UUID.fromString(text).toString().equals(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** An operator deleted the account behind {@code username} (on this or another node): resolve it afresh. */
    public void forgetUsername(String username) {
        accountIdByUsername.remove(username);
    }

    private static ApiException accountDisabled() {
        return new ApiException(ErrorCode.ACCOUNT_DISABLED, "this account is disabled by the relay's operator");
    }

    private static ApiException authenticationFailed() {
        return new ApiException(ErrorCode.AUTHENTICATION_FAILED, "unknown account or device, or wrong password");
    }
}
