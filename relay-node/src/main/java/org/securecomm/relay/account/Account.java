package org.securecomm.relay.account;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.securecomm.relay.CborSerializable;

/**
 * An account, keyed by its opaque account id: its username, public identity key and devices with
 * their credentials (hashed) and public prekeys. Commands are handled one at a time, which is
 * what makes claiming a one-time prekey atomic: two concurrent bundle fetches never get the same
 * key.
 */
public final class Account extends EventSourcedBehavior<Account.Command, Account.Event, AccountState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Account");

    /** Told when a device's stock of one-time keys runs low after a claim. */
    @FunctionalInterface
    public interface KeyStockListener {
        void keyStockLow(String accountId, int deviceId, KeyStock stock);
    }

    public record Settings(int maxDevices, int maxStoredKeysPerKind, int lowStockThreshold) {
    }

    // ------------------------------------------------------------------ protocol

    public sealed interface Command extends CborSerializable {
    }

    /** Creates the account, or on re-registration resets it to a single new primary device. */
    public record Create(String username, int registrationId, byte[] identityKey, String passwordHash, byte[] encryptedDeviceName,
                         long nowMillis, ActorRef<Created> replyTo) implements Command {
    }

    public record Created(String username, int deviceId) implements CborSerializable {
    }

    public record LinkDevice(int registrationId, String passwordHash, byte[] encryptedName, long nowMillis,
                             ActorRef<LinkResult> replyTo) implements Command {
    }

    public sealed interface LinkResult extends CborSerializable {
    }

    public record Linked(int deviceId) implements LinkResult {
    }

    public record LinkRefused(String reason) implements LinkResult {
    }

    /** Only the primary device removes others; any device may remove itself; the primary stays. */
    public record RemoveDevice(int deviceId, int requestedBy, ActorRef<RemoveResult> replyTo) implements Command {
    }

    public enum RemoveResult implements CborSerializable { REMOVED, UNKNOWN_DEVICE, FORBIDDEN }

    public record GetDevices(ActorRef<Devices> replyTo) implements Command {
    }

    /** {@code username} is null when the account does not exist; {@code disabled} by an operator. */
    public record Devices(String username, List<DeviceSummary> devices, boolean disabled) implements CborSerializable {
        public boolean exists() {
            return username != null;
        }
    }

    public record UploadKeys(int deviceId, byte[] identityKey, SignedPreKey signedPreKey, List<PreKey> oneTimePreKeys,
                             List<SignedPreKey> kyberPreKeys, SignedPreKey lastResortKyberPreKey,
                             ActorRef<UploadResult> replyTo) implements Command {
    }

    public sealed interface UploadResult extends CborSerializable {
    }

    public record KeysStored(KeyStock stock) implements UploadResult {
    }

    public enum UploadRejection { UNKNOWN_DEVICE, IDENTITY_KEY_MISMATCH, TOO_MANY_KEYS }

    public record UploadRejected(UploadRejection reason, String message) implements UploadResult {
    }

    /** Claims one bundle per requested device; {@code deviceId} 0 means every device. */
    public record ClaimPreKeys(int deviceId, ActorRef<ClaimResult> replyTo) implements Command {
    }

    public sealed interface ClaimResult extends CborSerializable {
    }

    public record Bundles(String username, byte[] identityKey, List<Bundle> bundles) implements ClaimResult {
    }

    public record Bundle(int deviceId, int registrationId, SignedPreKey signedPreKey, PreKey oneTimePreKey,
                         SignedPreKey kyberPreKey) implements CborSerializable {
    }

    public record NoBundle(String reason) implements ClaimResult {
    }

    public record GetKeyStock(int deviceId, ActorRef<KeyStock> replyTo) implements Command {
    }

    // ------------------------------------------------------------------ administration (operator actions)

    /** Disables the account (its devices can no longer authenticate) or enables it again. */
    public record SetDisabled(boolean disabled, long nowMillis, ActorRef<AdminResult> replyTo) implements Command {
    }

    /** Deletes the account: devices, keys and username are forgotten; the id may be created afresh. */
    public record Delete(long nowMillis, ActorRef<AdminResult> replyTo) implements Command {
    }

    /** The account as it was before the action; {@code username} is null when there was no such account. */
    public record AdminResult(String username, List<Integer> deviceIds, boolean disabled) implements CborSerializable {
        public boolean existed() {
            return username != null;
        }
    }

    public record DisabledChanged(boolean disabled, long atMillis) implements Event {
    }

    public record AccountDeleted(long atMillis) implements Event {
    }

    // ------------------------------------------------------------------ events

    public sealed interface Event extends CborSerializable {
    }

    public record AccountCreated(String username, int registrationId, byte[] identityKey, String passwordHash,
                                 byte[] encryptedDeviceName, long atMillis) implements Event {
    }

    /** Re-registration: a new primary device and identity key; every other device is removed. */
    public record AccountReset(int registrationId, byte[] identityKey, String passwordHash, byte[] encryptedDeviceName,
                               long atMillis) implements Event {
    }

    public record DeviceLinked(int deviceId, int registrationId, String passwordHash, byte[] encryptedName, long atMillis)
            implements Event {
    }

    public record DeviceRemoved(int deviceId) implements Event {
    }

    public record KeysUploaded(int deviceId, SignedPreKey signedPreKey, List<PreKey> oneTimePreKeys,
                               List<SignedPreKey> kyberPreKeys, SignedPreKey lastResortKyberPreKey) implements Event {
    }

    public record PreKeysClaimed(List<Claim> claims) implements Event {
    }

    /** Which one-time keys a bundle fetch consumed (null: none of that kind was left). */
    public record Claim(int deviceId, Integer oneTimePreKeyId, Integer kyberPreKeyId) implements CborSerializable {
    }

    // ------------------------------------------------------------------ behaviour

    public static Behavior<Command> create(String accountId, Settings settings, KeyStockListener listener) {
        return new Account(accountId, settings, listener);
    }

    private static final int PRIMARY_DEVICE = 1;

    private final String accountId;
    private final Settings settings;
    private final KeyStockListener listener;

    private Account(String accountId, Settings settings, KeyStockListener listener) {
        super(PersistenceId.of(TYPE_KEY.name(), accountId));
        this.accountId = accountId;
        this.settings = settings;
        this.listener = listener;
    }

    @Override
    public AccountState emptyState() {
        return AccountState.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Command, Event, AccountState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Create.class, this::onCreate)
                .onCommand(LinkDevice.class, this::onLinkDevice)
                .onCommand(RemoveDevice.class, this::onRemoveDevice)
                .onCommand(GetDevices.class, (state, cmd) ->
                        Effect().reply(cmd.replyTo(), new Devices(state.username(),
                                state.devices().values().stream().map(DeviceSummary::of).toList(), state.disabled())))
                .onCommand(UploadKeys.class, this::onUploadKeys)
                .onCommand(ClaimPreKeys.class, this::onClaimPreKeys)
                .onCommand(GetKeyStock.class, (state, cmd) -> {
                    Device device = state.device(cmd.deviceId());
                    return Effect().reply(cmd.replyTo(), device == null ? new KeyStock(0, 0, false, false) : device.keyStock());
                })
                .onCommand(SetDisabled.class, this::onSetDisabled)
                .onCommand(Delete.class, this::onDelete)
                .build();
    }

    private Effect<Event, AccountState> onSetDisabled(AccountState state, SetDisabled cmd) {
        AdminResult before = new AdminResult(state.username(), List.copyOf(state.devices().keySet()), state.disabled());
        if (!state.exists() || state.disabled() == cmd.disabled()) {
            return Effect().reply(cmd.replyTo(), before);
        }
        return Effect().persist(new DisabledChanged(cmd.disabled(), cmd.nowMillis())).thenReply(cmd.replyTo(), s -> before);
    }

    private Effect<Event, AccountState> onDelete(AccountState state, Delete cmd) {
        AdminResult before = new AdminResult(state.username(), List.copyOf(state.devices().keySet()), state.disabled());
        if (!state.exists()) {
            return Effect().reply(cmd.replyTo(), before);
        }
        return Effect().persist(new AccountDeleted(cmd.nowMillis())).thenReply(cmd.replyTo(), s -> before);
    }

    private Effect<Event, AccountState> onCreate(AccountState state, Create cmd) {
        Event event = state.exists()
                ? new AccountReset(cmd.registrationId(), cmd.identityKey(), cmd.passwordHash(), cmd.encryptedDeviceName(), cmd.nowMillis())
                : new AccountCreated(cmd.username(), cmd.registrationId(), cmd.identityKey(), cmd.passwordHash(),
                        cmd.encryptedDeviceName(), cmd.nowMillis());
        return Effect().persist(event).thenReply(cmd.replyTo(), s -> new Created(s.username(), PRIMARY_DEVICE));
    }

    private Effect<Event, AccountState> onLinkDevice(AccountState state, LinkDevice cmd) {
        if (!state.exists()) {
            return Effect().reply(cmd.replyTo(), new LinkRefused("no such account"));
        }
        if (state.devices().size() >= settings.maxDevices()) {
            return Effect().reply(cmd.replyTo(), new LinkRefused("an account has at most " + settings.maxDevices() + " devices"));
        }
        int deviceId = state.nextDeviceId();
        return Effect().persist(new DeviceLinked(deviceId, cmd.registrationId(), cmd.passwordHash(), cmd.encryptedName(), cmd.nowMillis()))
                .thenReply(cmd.replyTo(), s -> new Linked(deviceId));
    }

    private Effect<Event, AccountState> onRemoveDevice(AccountState state, RemoveDevice cmd) {
        if (state.device(cmd.deviceId()) == null) {
            return Effect().reply(cmd.replyTo(), RemoveResult.UNKNOWN_DEVICE);
        }
        boolean allowed = cmd.deviceId() != PRIMARY_DEVICE
                && (cmd.requestedBy() == PRIMARY_DEVICE || cmd.requestedBy() == cmd.deviceId());
        if (!allowed) {
            return Effect().reply(cmd.replyTo(), RemoveResult.FORBIDDEN);
        }
        return Effect().persist(new DeviceRemoved(cmd.deviceId())).thenReply(cmd.replyTo(), s -> RemoveResult.REMOVED);
    }

    private Effect<Event, AccountState> onUploadKeys(AccountState state, UploadKeys cmd) {
        Device device = state.device(cmd.deviceId());
        if (device == null) {
            return Effect().reply(cmd.replyTo(), new UploadRejected(UploadRejection.UNKNOWN_DEVICE, "unknown device"));
        }
        if (cmd.identityKey() != null && cmd.identityKey().length > 0 && !Arrays.equals(cmd.identityKey(), state.identityKey())) {
            return Effect().reply(cmd.replyTo(), new UploadRejected(UploadRejection.IDENTITY_KEY_MISMATCH,
                    "the identity key is not this account's; re-register to change it"));
        }
        Device updated = device.withUploadedKeys(cmd.signedPreKey(), cmd.oneTimePreKeys(), cmd.kyberPreKeys(), cmd.lastResortKyberPreKey());
        if (updated.oneTimePreKeys().size() > settings.maxStoredKeysPerKind()
                || updated.kyberPreKeys().size() > settings.maxStoredKeysPerKind()) {
            return Effect().reply(cmd.replyTo(), new UploadRejected(UploadRejection.TOO_MANY_KEYS,
                    "at most " + settings.maxStoredKeysPerKind() + " one-time keys of each kind are stored per device"));
        }
        return Effect().persist(new KeysUploaded(cmd.deviceId(), cmd.signedPreKey(), cmd.oneTimePreKeys(), cmd.kyberPreKeys(),
                        cmd.lastResortKyberPreKey()))
                .thenReply(cmd.replyTo(), s -> new KeysStored(s.device(cmd.deviceId()).keyStock()));
    }

    private Effect<Event, AccountState> onClaimPreKeys(AccountState state, ClaimPreKeys cmd) {
        if (!state.exists()) {
            return Effect().reply(cmd.replyTo(), new NoBundle("no such account"));
        }
        List<Device> targets = cmd.deviceId() == 0
                ? List.copyOf(state.devices().values())
                : state.device(cmd.deviceId()) == null ? List.of() : List.of(state.device(cmd.deviceId()));
        List<Bundle> bundles = new ArrayList<>();
        List<Claim> claims = new ArrayList<>();
        for (Device device : targets) {
            if (device.signedPreKey() == null || device.lastResortKyberPreKey() == null) {
                continue; // a device that never uploaded keys cannot be reached yet
            }
            PreKey oneTime = device.oneTimePreKeys().isEmpty() ? null : device.oneTimePreKeys().get(0);
            SignedPreKey kyber = device.kyberPreKeys().isEmpty() ? null : device.kyberPreKeys().get(0);
            bundles.add(new Bundle(device.id(), device.registrationId(), device.signedPreKey(), oneTime,
                    kyber != null ? kyber : device.lastResortKyberPreKey()));
            if (oneTime != null || kyber != null) {
                claims.add(new Claim(device.id(), oneTime == null ? null : oneTime.keyId(), kyber == null ? null : kyber.keyId()));
            }
        }
        if (bundles.isEmpty()) {
            return Effect().reply(cmd.replyTo(), new NoBundle(cmd.deviceId() == 0
                    ? "the account has no device with uploaded keys" : "no such device with uploaded keys"));
        }
        Bundles reply = new Bundles(state.username(), state.identityKey(), bundles);
        if (claims.isEmpty()) {
            return Effect().reply(cmd.replyTo(), reply);
        }
        return Effect().persist(new PreKeysClaimed(claims))
                .thenRun(s -> notifyLowStock(s, claims))
                .thenReply(cmd.replyTo(), s -> reply);
    }

    private void notifyLowStock(AccountState state, List<Claim> claims) {
        for (Claim claim : claims) {
            Device device = state.device(claim.deviceId());
            KeyStock stock = device.keyStock();
            if (stock.isBelow(settings.lowStockThreshold())) {
                listener.keyStockLow(accountId, device.id(), stock);
            }
        }
    }

    @Override
    public EventHandler<AccountState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(AccountCreated.class, (state, e) -> new AccountState(e.username(), e.identityKey(),
                        Map.of(PRIMARY_DEVICE, Device.fresh(PRIMARY_DEVICE, e.registrationId(), e.passwordHash(), e.atMillis(),
                                e.encryptedDeviceName())),
                        PRIMARY_DEVICE + 1, false))
                .onEvent(AccountReset.class, (state, e) -> new AccountState(state.username(), e.identityKey(),
                        Map.of(PRIMARY_DEVICE, Device.fresh(PRIMARY_DEVICE, e.registrationId(), e.passwordHash(), e.atMillis(),
                                e.encryptedDeviceName())),
                        state.nextDeviceId(), state.disabled()))
                .onEvent(DeviceLinked.class, (state, e) ->
                        state.withDevice(Device.fresh(e.deviceId(), e.registrationId(), e.passwordHash(), e.atMillis(), e.encryptedName())))
                .onEvent(DisabledChanged.class, (state, e) ->
                        new AccountState(state.username(), state.identityKey(), state.devices(), state.nextDeviceId(), e.disabled()))
                .onEvent(AccountDeleted.class, (state, e) -> AccountState.EMPTY)
                .onEvent(DeviceRemoved.class, (state, e) -> state.withoutDevice(e.deviceId()))
                .onEvent(KeysUploaded.class, (state, e) -> state.withDevice(state.device(e.deviceId())
                        .withUploadedKeys(e.signedPreKey(), e.oneTimePreKeys(), e.kyberPreKeys(), e.lastResortKyberPreKey())))
                .onEvent(PreKeysClaimed.class, (state, e) -> {
                    AccountState updated = state;
                    for (Claim claim : e.claims()) {
                        Device device = updated.device(claim.deviceId());
                        if (device != null) {
                            updated = updated.withDevice(device.withoutClaimed(claim.oneTimePreKeyId(), claim.kyberPreKeyId()));
                        }
                    }
                    return updated;
                })
                .build();
    }
}
